import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../app.ts';
import { startTestServer, type TestServer } from '../../testing/harness.ts';

/** The CSP as a map of directive → sources. */
function csp(header: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

describe('security headers', () => {
  let s: TestServer;
  let app: FastifyInstance;
  const dist = mkdtempSync(path.join(tmpdir(), 'pz-dist-'));
  beforeAll(async () => {
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>t</title>');
    s = await startTestServer({
      config: {
        snapshotHosts: ['cams.example.cn', '*.video.example.cn'],
        mapStyleUrl: 'https://tiles.example.cn/styles/dark.json',
        trustProxy: 1,
      },
    });
    // The same container behind an app that serves a (stand-in) built client.
    app = await build(s.container, { clientDist: dist });
  });
  afterAll(async () => {
    await app?.close();
    await s?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  for (const page of ['/', '/wall']) {
    it(`${page} gets a CSP the console can live with, and no framing or sniffing`, async () => {
      const r = await app.inject({ url: page, headers: { host: 'console.example.cn:8080' } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      const p = csp(r.headers['content-security-policy'] as string);
      expect(p.get('frame-ancestors')).toEqual(["'none'"]);
      expect(p.get('script-src')).toEqual(["'self'"]);
      expect(p.get('default-src')).toEqual(["'self'"]);
      expect(p.get('object-src')).toEqual(["'none'"]);
      expect(p.get('worker-src')).toEqual(expect.arrayContaining(["'self'", 'blob:']));
      expect(p.get('img-src')).toEqual(
        expect.arrayContaining(["'self'", 'data:', 'blob:', 'cams.example.cn', '*.video.example.cn']),
      );
      expect(p.get('connect-src')).toEqual(
        expect.arrayContaining([
          "'self'",
          'ws://console.example.cn:8080',
          'wss://console.example.cn:8080',
          'https://tiles.example.cn',
        ]),
      );
      // No inline or foreign script anywhere, and no inline <style> elements.
      expect([...p.values()].flat()).not.toContain("'unsafe-eval'");
      expect(p.get('script-src')).not.toContain("'unsafe-inline'");
      expect(p.get('style-src')).toEqual(["'self'"]);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('same-origin');
    });
  }

  it('a Host header cannot smuggle sources into the policy', async () => {
    const r = await app.inject({ url: '/', headers: { host: "evil.example; script-src 'unsafe-inline'" } });
    expect(r.headers['content-security-policy']).not.toMatch(/unsafe-inline'?\s*;?\s*$|evil/);
    expect(csp(r.headers['content-security-policy'] as string).get('script-src')).toEqual(["'self'"]);
  });

  it('API answers are never cached, errors included', async () => {
    for (const url of ['/api/v1/config', '/api/v1/snapshot', '/api/v1/no-such-route']) {
      const r = await app.inject({ url });
      expect(r.headers['cache-control'], url).toBe('no-store');
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it("a route's own stricter CSP (the after-action page's) is the one sent", async () => {
    const probe = await build(s.container, { clientDist: dist });
    probe.get('/api/v1/probe.html', { schema: {} }, (_req, reply) =>
      reply.type('text/html').header('content-security-policy', "default-src 'none'").send('<p>x</p>'),
    );
    const r = await probe.inject({ url: '/api/v1/probe.html' });
    await probe.close();
    expect(r.headers['content-security-policy']).toBe("default-src 'none'");
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('builds without a deprecation warning (FSTDEP023)', async () => {
    const codes: unknown[] = [];
    const onWarning = (w: Error & { code?: string }) => codes.push(w.code);
    process.on('warning', onWarning);
    try {
      const other = await build(s.container, { clientDist: dist });
      await other.ready();
      await other.close();
      // process.emitWarning delivers on the next tick; one macrotask later every warning is in.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(codes.filter((c) => String(c).startsWith('FSTDEP'))).toEqual([]);
  });

  it('believes X-Forwarded-For only from as many hops as TRUST_PROXY says', async () => {
    let seen = '';
    const probe = await build(s.container, { clientDist: dist });
    probe.addHook('onRequest', async (req) => {
      seen = req.ip;
    });
    await probe.inject({ url: '/api/v1/config', headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.2' } });
    await probe.close();
    // One trusted hop (the peer, here 127.0.0.1): the address it was given is the client's.
    expect(seen).toBe('10.0.0.2');
  });
});
