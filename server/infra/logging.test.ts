import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOG_OPTIONS, redactQuery, withRedaction } from './logging.ts';

function capture() {
  const out: string[] = [];
  return { out, stream: { write: (l: string) => void out.push(l) } };
}

describe('log redaction', () => {
  it('keeps passwords, cookies, keys and URL passwords out of a line', () => {
    const { out, stream } = capture();
    const log = pino({ level: 'info', ...LOG_OPTIONS }, stream);
    log.info(
      {
        req: {
          method: 'POST',
          url: '/api/v1/auth/login?token=tok-123&page=2',
          headers: { cookie: 'pz=s3cr3t' },
        },
        headers: { authorization: 'Bearer key-abc' },
        body: { username: 'duty', password: 'hunter2' },
        config: { redisUrl: 'redis://:redispw@db.example:6379/0', databaseUrl: 'postgres://pz:pgpw@db/pz' },
        intakeKeys: ['intake-key-1'],
      },
      'something happened',
    );
    const text = out.join('');
    for (const secret of ['tok-123', 's3cr3t', 'key-abc', 'hunter2', 'redispw', 'pgpw', 'intake-key-1'])
      expect(text).not.toContain(secret);
    const line = JSON.parse(out[0]);
    // What is worth knowing stays: who, where, which host.
    expect(line.body.username).toBe('duty');
    expect(line.config.redisUrl).toBe('redis://:***@db.example:6379/0');
    expect(line.req.url).toBe('/api/v1/auth/login?token=***&page=2');
  });

  it("applies to Fastify's logger, its request lines included", async () => {
    const { out, stream } = capture();
    const app = Fastify({ logger: withRedaction({ level: 'info', stream }) });
    app.get('/x', async (req) => {
      req.log.info({ password: 'pw-in-handler' }, 'handled');
      return {};
    });
    await app.inject({ url: '/x?apiKey=k-999&q=1', headers: { cookie: 'c=cookie-777' } });
    await app.close();
    const text = out.join('');
    expect(text).toContain('handled');
    for (const secret of ['pw-in-handler', 'k-999', 'cookie-777']) expect(text).not.toContain(secret);
  });

  it('leaves a logger that is off, off', () => {
    expect(withRedaction(false)).toBe(false);
    expect(withRedaction(undefined)).toBe(undefined);
  });

  it('censors only secret-looking query parameters', () => {
    expect(redactQuery('/a?b=1')).toBe('/a?b=1');
    expect(redactQuery('/a')).toBe('/a');
    expect(redactQuery('/a?password=x&session=y&ok=1')).toBe('/a?password=***&session=***&ok=1');
  });
});
