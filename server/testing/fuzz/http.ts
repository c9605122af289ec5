import type { TestServer } from '../harness.ts';
import { waitForPipelineIdle } from '../harness.ts';
import { renderBody, type BodySpec } from './bodies.ts';

/** Longer than any honest answer on a loaded box; a request still open then counts as a hang. */
export const HANG_MS = 15_000;

export type Answer = { status: number; body: unknown; text: string; headers: Headers };

/** Sends one fuzz request through real HTTP, exactly the bytes the spec describes. */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  spec: BodySpec | null,
  headers: Record<string, string>,
): Promise<Answer> {
  const h: Record<string, string> = { ...headers };
  let payload: string | Uint8Array<ArrayBuffer> | undefined;
  if (spec) {
    const r = renderBody(spec);
    payload = r.payload;
    if (r.contentType !== null) h['content-type'] = r.contentType;
  }
  let res: Response;
  try {
    res = await fetch(baseUrl + path, {
      method,
      headers: h,
      body: payload,
      signal: AbortSignal.timeout(HANG_MS),
    });
  } catch (e) {
    const err = e as Error;
    throw new Error(
      err.name === 'TimeoutError'
        ? `${method} ${path.slice(0, 200)} hung: no answer in ${HANG_MS} ms`
        : `${method} ${path.slice(0, 200)}: connection failed (${err.message})`,
      { cause: e },
    );
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // checked by checkAnswer
  }
  return { status: res.status, body, text, headers: res.headers };
}

/**
 * The answer contract for any input: 2xx, or 4xx with a JSON body `{error, …}`; a 400 names the
 * problem in `issues: [{path, message}]`. Returns a problem description, or null when it holds.
 */
export function answerProblem(a: Answer): string | null {
  const shown = `${a.status} ${a.text.slice(0, 300)}`;
  if (a.status >= 500) return `server error: ${shown}`;
  if (a.status < 200 || (a.status >= 300 && a.status < 400)) return `unexpected status: ${shown}`;
  if (a.body === undefined) return `answer is not JSON: ${shown}`;
  if (a.status < 300) return null;
  const b = a.body as { error?: unknown; issues?: unknown };
  if (typeof b !== 'object' || b === null || typeof b.error !== 'string' || b.error === '')
    return `4xx without {error}: ${shown}`;
  if (a.status === 400) {
    const issues = b.issues;
    if (!Array.isArray(issues) || issues.length === 0) return `400 without issues: ${shown}`;
    for (const i of issues as { path?: unknown; message?: unknown }[]) {
      // The path may be "" (an unknown key named "" sits at the root); the message names it then.
      if (typeof i?.path !== 'string' || typeof i.message !== 'string' || i.message === '')
        return `400 with an issue that names nothing: ${shown}`;
    }
  }
  return null;
}

/** Events the server writes on its own (task due timers); they are not a refused request's doing. */
const SYSTEM_ACTOR = /^system:/;

export type Fingerprint = { head: number; state: string; jobs: string };

/**
 * What a refused request must leave as it was: the snapshot (sorted, so map order does not
 * matter), the log head and the pipeline's job counts. Taken with the pipeline idle.
 */
export async function fingerprint(s: TestServer, cookie: string): Promise<Fingerprint> {
  await waitForPipelineIdle(s);
  const res = await fetch(`${s.url}/api/v1/snapshot`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`snapshot answered ${res.status}: ${await res.text()}`);
  const snap = (await res.json()) as Record<string, unknown>;
  const byId = (xs: unknown) =>
    [...(xs as { id: string }[])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const state = JSON.stringify({
    seq: snap.seq,
    mode: snap.mode,
    incidents: byId(snap.incidents),
    videoAlerts: byId(snap.videoAlerts),
    resources: byId(snap.resources),
    operations: byId(snap.operations),
  });
  const head = await s.container.store.headSeq();
  // The sum over all states: a retry moves a job between states, a new job adds one.
  const counts = await s.container.queue.counts();
  const jobs = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  return { head, state, jobs: String(jobs) };
}

/**
 * Null when nothing changed between two fingerprints; 'system' when only the server's own timers
 * wrote (the caller re-takes its baseline); otherwise what changed.
 */
export async function changeBetween(
  s: TestServer,
  before: Fingerprint,
  after: Fingerprint,
): Promise<null | 'system' | string> {
  if (after.head !== before.head) {
    const events = await s.container.store.readAfter(before.head, after.head - before.head);
    if (events.every((e) => SYSTEM_ACTOR.test(e.actor ?? ''))) return 'system';
    const list = events.map((e) => `${e.seq} ${e.type} by ${e.actor}`).join('; ');
    return `the log moved from ${before.head} to ${after.head}: ${list}`;
  }
  if (after.state !== before.state) return 'the snapshot changed with no event in the log';
  if (after.jobs !== before.jobs) return `pipeline jobs: ${before.jobs} before, ${after.jobs} after`;
  return null;
}
