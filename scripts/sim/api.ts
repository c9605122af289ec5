import { setTimeout as sleep } from 'node:timers/promises';

export type ApiResult = { status: number; body: unknown; ms: number; retries: number };

export type ApiOptions = {
  baseUrl: string;
  /** Longest we honour a Retry-After, and how often we retry before giving up. */
  maxRetryAfterS?: number;
  maxRetries?: number;
  /** Per request; a hung server must not hang the simulator. */
  timeoutMs?: number;
};

/**
 * A thin client for the public API. Node's fetch keeps connections alive, so a run reuses a small
 * pool. 429 and 503 are the server asking us to slow down: we wait as long as Retry-After says
 * (with a little jitter so concurrent posters do not return in lockstep) and try again.
 */
export class Api {
  cookie = '';
  /** Set on shutdown: no more retries, no more waiting on Retry-After. */
  stopped = false;

  constructor(private readonly opts: ApiOptions) {}

  async login(username: string, password: string): Promise<void> {
    const res = await this.request('POST', '/api/v1/auth/login', { username, password });
    if (res.status !== 200)
      throw new Error(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResult> {
    return this.withRetry(method, path, body, headers);
  }

  private async withRetry(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<ApiResult> {
    const maxRetries = this.opts.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const res = await fetch(this.opts.baseUrl + path, {
        method,
        // One signal per request: a shared one collects a listener per request in Node's fetch.
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.cookie ? { cookie: this.cookie } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      const setCookie = res.headers.get('set-cookie');
      if (setCookie) this.cookie = setCookie.split(';')[0];
      if ((res.status === 429 || res.status === 503) && attempt < maxRetries && !this.stopped) {
        const wait = retryAfterSeconds(res.headers.get('retry-after'), this.opts.maxRetryAfterS ?? 30);
        const until = performance.now() + wait * 1000 * (1 + Math.random() * 0.2);
        // Sleep in short steps so that Ctrl-C is not kept waiting by a long Retry-After.
        while (performance.now() < until && !this.stopped)
          await sleep(Math.min(250, until - performance.now()));
        if (!this.stopped) continue;
      }
      return { status: res.status, body: parse(text), ms, retries: attempt };
    }
  }
}

/** Retry-After is either seconds or an HTTP date; missing or odd values mean "a second". */
export function retryAfterSeconds(header: string | null, cap: number, now = Date.now()): number {
  if (!header) return 1;
  const n = Number(header);
  if (Number.isFinite(n)) return Math.min(cap, Math.max(0, n));
  const at = Date.parse(header);
  if (Number.isFinite(at)) return Math.min(cap, Math.max(0, (at - now) / 1000));
  return 1;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
