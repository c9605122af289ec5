import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.ts';
import { parseTopologyUrl, redisOptions } from './redis.ts';

describe('redis+cluster:// URLs', () => {
  it('give the seed nodes (default port 6379) and the password', () => {
    expect(parseTopologyUrl('redis+cluster://:pw@n1:7000,n2,n3:7002')).toEqual({
      kind: 'cluster',
      tls: false,
      hosts: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 6379 },
        { host: 'n3', port: 7002 },
      ],
      username: undefined,
      password: 'pw',
      path: [],
    });
    expect(redisOptions('redis+cluster://n1:7000', { commandTimeout: 500 })).toMatchObject({
      commandTimeout: 500,
      pzClusterNodes: [{ host: 'n1', port: 7000 }],
    });
  });

  it('refuses a database number: a cluster has only db 0', () => {
    expect(() => redisOptions('redis+cluster://n1:7000/1')).toThrow(/no databases/);
  });

  it('never prints the password', () => {
    expect(redactUrl('redis+cluster://:secret@n1:7000,n2:7001')).not.toContain('secret');
  });
});
