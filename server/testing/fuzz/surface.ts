import fc from 'fast-check';
import type { TestServer } from '../harness.ts';
import { POOLS, type BodySpec } from './bodies.ts';
import { answerProblem, changeBetween, fingerprint, send, type Answer, type Fingerprint } from './http.ts';
import { hazardousParts, renderParts, type Parts } from './text.ts';

export type FuzzCtx = {
  s: TestServer;
  /** Session cookie used for the snapshot comparison (any operator). */
  cookie: string;
  /** Fingerprint of the state as of the end of the last case, when known to be current. */
  baseline: Fingerprint | null;
  /** The last case failed: repair poisoned records before the next one (see `scrubPoison`). */
  dirty: boolean;
};

/** A path segment: an id from a pool (by index, so pools may grow), hostile text, or raw bytes. */
export type IdSpec = { ref: string; i: number } | { text: Parts } | { rawPath: string };

export function idSpec(pool: string, unknown = true): fc.Arbitrary<IdSpec> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ ref: fc.constant(pool), i: fc.nat(1000) }) },
    ...(unknown
      ? [
          { weight: 1, arbitrary: hazardousParts.map((text) => ({ text })) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom(
                '%00',
                '..',
                '%2F',
                '%2e%2e',
                'x'.repeat(300),
                '%F0%9F%94%A5',
                '%EF%BF%BE',
                '%20',
                '%C2%A0',
              )
              .map((rawPath) => ({ rawPath })),
          },
        ]
      : []),
  );
}

/**
 * Path segments that are not valid percent-encoding (or not UTF-8 once decoded). Kept apart from
 * `idSpec` because they all hit one router-level answer (FST_ERR_BAD_URL), checked by its own
 * property rather than masking everything else a route's fuzz can find.
 */
export const BAD_PATH_SEGMENTS = ['%', '%zz', '%E4%B8', 'a%ED%A0%80', '%C0%AF', '%FF', '%%'];

/** Percent-encodes any UTF-16 string, lone surrogates as their three (ill-formed) UTF-8 bytes. */
export function pctEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (/[A-Za-z0-9\-._~]/.test(ch)) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        .map((b) => '%' + b.toString(16).toUpperCase())
        .join('');
    else out += encodeURIComponent(ch);
  }
  return out || '%20';
}

export function resolveId(id: IdSpec): string {
  if ('ref' in id) {
    const pool = POOLS[id.ref] ?? [];
    return pool.length ? encodeURIComponent(pool[id.i % pool.length]) : 'none';
  }
  // A lone surrogate has no UTF-8 form; its WTF-8 bytes are a bad URL, which BAD_PATH_SEGMENTS cover.
  if ('text' in id) return pctEncode(renderParts(id.text).replace(LONE_SURROGATE, '\uFFFD'));
  return id.rawPath;
}

/** The plain id behind a spec, for follow-ups (null for hostile ids). */
export function poolId(id: IdSpec): string | null {
  if (!('ref' in id)) return null;
  const pool = POOLS[id.ref] ?? [];
  return pool.length ? pool[id.i % pool.length] : null;
}

export type Route<P> = {
  method: 'GET' | 'POST' | 'PATCH';
  headers: (ctx: FuzzCtx) => Record<string, string>;
  path: (ctx: FuzzCtx, params: P) => string;
  /** After a 2xx: the same entity must still take commands (this catches poisoned records). */
  followUp?: (ctx: FuzzCtx, params: P, answer: Answer, body: BodySpec | null) => Promise<void>;
};

const JSON_LIKE_HASHES = [
  'incidents',
  'videoAlerts',
  'resources',
  'operations',
  'meta',
  'reports',
  'dispatches',
] as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormed(x)]));
  return v;
}

/**
 * Test-only repair after a failed case: rewrites stored records holding ill-formed text, so that
 * each later case (and each shrinking step) is judged on a healthy server rather than failing
 * because an earlier case froze a shared entity (the mode, a task board). It never runs before a
 * failure has been recorded, so it cannot hide one.
 */
export async function scrubPoison(s: TestServer): Promise<number> {
  const redis = s.container.redis;
  let fixed = 0;
  for (const h of JSON_LIKE_HASHES) {
    const key = s.container.keys[h];
    const all = await redis.hgetall(key);
    for (const [field, text] of Object.entries(all)) {
      let clean: string;
      try {
        clean = JSON.stringify(wellFormed(JSON.parse(text)));
      } catch {
        continue;
      }
      if (clean !== text) {
        await redis.hset(key, field, clean);
        fixed++;
      }
    }
  }
  return fixed;
}

/**
 * One fuzz case: send, check the answer, and then either (refused) check nothing changed, or
 * (accepted) run the route's follow-up. Throws a readable reason on any violation.
 */
export async function fuzzCase<P>(
  ctx: FuzzCtx,
  route: Route<P>,
  params: P,
  body: BodySpec | null,
): Promise<Answer> {
  if (ctx.dirty) {
    await scrubPoison(ctx.s);
    ctx.dirty = false;
    ctx.baseline = null;
  }
  try {
    const before = ctx.baseline ?? (await fingerprint(ctx.s, ctx.cookie));
    ctx.baseline = null;
    const path = route.path(ctx, params);
    const answer = await send(ctx.s.url, route.method, path, body, route.headers(ctx));
    const problem = answerProblem(answer);
    if (problem) throw new Error(`${route.method} ${path.slice(0, 200)}: ${problem}`);
    if (answer.status >= 400) {
      const after = await fingerprint(ctx.s, ctx.cookie);
      const change = await changeBetween(ctx.s, before, after);
      if (change && change !== 'system')
        throw new Error(`refused with ${answer.status} ${answer.text.slice(0, 200)}, yet ${change}`);
      ctx.baseline = after;
      return answer;
    }
    await route.followUp?.(ctx, params, answer, body);
    return answer;
  } catch (e) {
    ctx.dirty = true;
    throw e;
  }
}

/** Polls `fn` until it gives a value; the fuzz cases' only way of waiting. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | null | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A follow-up command must succeed (or meet a legitimate conflict when `allow` says so). */
export async function expectWorks(
  ctx: FuzzCtx,
  why: string,
  method: 'POST' | 'PATCH' | 'GET',
  path: string,
  body: unknown,
  headers: Record<string, string>,
  allow: number[] = [],
): Promise<Answer> {
  const a = await send(ctx.s.url, method, path, body === undefined ? null : { json: body }, headers);
  if ((a.status < 200 || a.status >= 300) && !allow.includes(a.status))
    throw new Error(`follow-up ${why}: ${method} ${path} answered ${a.status} ${a.text.slice(0, 300)}`);
  return a;
}
