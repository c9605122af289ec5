import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.ts';
import { parseTopologyUrl, redisOptions } from './redis.ts';

describe('redis+sentinel:// URLs', () => {
  it('name the sentinels, the primary, the db and the password', () => {
    const o = redisOptions('redis+sentinel://app:s%40cret@10.0.0.1:26380,10.0.0.2,[::1]:26381/pzprimary/2');
    expect(o.sentinels).toEqual([
      { host: '10.0.0.1', port: 26380 },
      { host: '10.0.0.2', port: 26379 },
      { host: '::1', port: 26381 },
    ]);
    expect(o).toMatchObject({ name: 'pzprimary', db: 2, username: 'app', password: 's@cret' });
    expect(o.tls).toBeUndefined();
    // Follows a failover at once and never keeps writing to a demoted primary.
    expect(o.failoverDetector).toBe(true);
    expect(typeof o.reconnectOnError).toBe('function');
  });

  it('rediss+sentinel speaks TLS to the sentinels and the primary', () => {
    const o = redisOptions('rediss+sentinel://h1:26379/p');
    expect(o).toMatchObject({ tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true });
  });

  it('refuses a URL without the primary name, naming what is missing', () => {
    expect(() => redisOptions('redis+sentinel://h1:26379,h2:26379')).toThrow(/master name/);
    expect(() => redisOptions('redis+sentinel://h1:x/p')).toThrow(/host "h1:x"/);
    expect(() => redisOptions('redis+sentinel://h1/p/zero')).toThrow(/db "zero"/);
  });

  it('never prints the password', () => {
    expect(redactUrl('redis+sentinel://:secret@h1:26379,h2:26379/p')).not.toContain('secret');
    expect(redactUrl('redis+sentinel://u:secret@h1:26379,h2:26379/p')).not.toContain('secret');
  });

  it('plain URLs are not topologies', () => {
    expect(parseTopologyUrl('redis://h:6379')).toBeNull();
    expect(parseTopologyUrl('redis+socket:///tmp/r.sock')).toBeNull();
  });
});
