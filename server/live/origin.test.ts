import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { originChecker } from './origin.ts';

/** The parts of a handshake request the check reads. */
function req(headers: Record<string, string>, remoteAddress = '10.0.0.5', encrypted = false) {
  return { headers, socket: { remoteAddress, encrypted } } as unknown as IncomingMessage;
}

describe('the live socket Origin check', () => {
  const plain = originChecker({ trustProxy: false, allowedOrigins: ['https://wall.example.cn:8443'] });

  it("matches the Host header's scheme, host and port", () => {
    expect(plain(req({ host: 'pz.local:8080', origin: 'http://pz.local:8080' }))).toBeNull();
    expect(plain(req({ host: 'pz.local', origin: 'http://pz.local:80' }))).toBeNull();
    expect(plain(req({ host: 'pz.local:8080', origin: 'http://pz.local:8081' }))).toMatch(/not allowed/);
    expect(plain(req({ host: 'pz.local:8080', origin: 'https://pz.local:8080' }))).toMatch(/not allowed/);
    expect(plain(req({ host: 'pz.local', origin: 'https://pz.local' }, '10.0.0.5', true))).toBeNull();
  });

  it('matches the configured list exactly, scheme and port included', () => {
    expect(plain(req({ host: 'pz.local', origin: 'https://wall.example.cn:8443' }))).toBeNull();
    expect(plain(req({ host: 'pz.local', origin: 'https://wall.example.cn' }))).toMatch(/not allowed/);
  });

  it('refuses null and non-http origins', () => {
    for (const origin of ['null', 'file://', 'chrome-extension://abc', 'not a url'])
      expect(plain(req({ host: 'pz.local', origin }))).toMatch(/not allowed/);
  });

  it('believes X-Forwarded-Host/Proto only from a trusted proxy', () => {
    const fwd = {
      host: 'pz-internal:8080',
      origin: 'https://console.example.cn',
      'x-forwarded-host': 'console.example.cn',
      'x-forwarded-proto': 'https',
    };
    // Without TRUST_PROXY a direct client cannot claim to be another host.
    expect(plain(req(fwd))).toMatch(/not allowed/);
    const behind = originChecker({ trustProxy: ['10.0.0.0/8'], allowedOrigins: [] });
    expect(behind(req(fwd, '10.0.0.5'))).toBeNull();
    expect(behind(req(fwd, '192.168.1.9'))).toMatch(/not allowed/);
    expect(originChecker({ trustProxy: true, allowedOrigins: [] })(req(fwd))).toBeNull();
    // As Fastify: a hop count cannot vouch for the peer, so no forwarded header is believed.
    expect(originChecker({ trustProxy: 1, allowedOrigins: [] })(req(fwd))).toMatch(/not allowed/);
  });

  it('lets a request without Origin through (non-browser clients)', () => {
    expect(plain(req({ host: 'pz.local' }))).toBeNull();
  });
});
