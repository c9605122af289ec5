import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { currentRequestId, echoRequestId, genReqId, saneRequestId, trackRequestIds } from './request-id.ts';

describe('request ids', () => {
  it('keeps a sane token and refuses anything else', () => {
    for (const ok of ['abc', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'hotline.7:42_x', 'a'.repeat(64)])
      expect(saneRequestId(ok)).toBe(ok);
    for (const bad of ['', ' a', 'a b', 'a\nb', '"a"', '-a', 'a'.repeat(65), 'a/b', 42, undefined, ['a']])
      expect(saneRequestId(bad)).toBe(null);
  });

  it('generates a UUID when the header is missing or not sane', () => {
    const uuid = /^[0-9a-f-]{36}$/;
    expect(genReqId({ headers: {} } as never)).toMatch(uuid);
    expect(genReqId({ headers: { 'x-request-id': 'a, b' } } as never)).toMatch(uuid);
    expect(genReqId({ headers: { 'x-request-id': 'given-1' } } as never)).toBe('given-1');
  });

  it('reaches handlers registered before, and code they await, and is echoed', async () => {
    const app = Fastify();
    echoRequestId(app);
    await app.register(async (child) => {
      child.get('/deep', async (req) => {
        await new Promise((r) => setImmediate(r));
        return { reqId: req.id, seen: currentRequestId() };
      });
    });
    trackRequestIds(app);
    const given = await app.inject({ url: '/deep', headers: { 'x-request-id': 'given-2' } });
    expect(given.json()).toEqual({ reqId: 'given-2', seen: 'given-2' });
    expect(given.headers['x-request-id']).toBe('given-2');
    const own = await app.inject({ url: '/deep', headers: { 'x-request-id': 'not sane' } });
    expect(own.json().seen).toBe(own.json().reqId);
    expect(own.headers['x-request-id']).toBe(own.json().reqId);
    expect(own.json().reqId).not.toBe('not sane');
    await app.close();
    // Outside a request there is none.
    expect(currentRequestId()).toBeUndefined();
  });
});
