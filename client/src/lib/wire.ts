/**
 * Decoding at the edge: API answers and socket frames checked against the shared schemas, in
 * development and tests only. A production console trusts the server it was served by (the
 * protocol version says whether it speaks the same language) and skips the cost on every frame;
 * a development or test build fails loudly where a wire shape and its schema part ways.
 */
import type { z } from 'zod';
import { EVENT_DATA, LiveEvent as LiveEventEnvelope, type LiveEvent } from '../../../shared/index.ts';

/**
 * On in `vite dev`, in vitest (mode "test") and in a build made with `mode: 'test'` (the browser
 * tests build the client so); off in the production build. Read through a cast and `?.` because
 * this module also runs outside Vite (the bench imports feed.ts under tsx, where there is no
 * `import.meta.env`, and the root tsconfig has no vite/client types): off there.
 */
const env = (import.meta as { env?: { DEV?: boolean; MODE?: string } }).env;
export const CHECK_WIRE: boolean = env?.DEV === true || env?.MODE === 'test';

export interface WireIssue {
  path: string;
  message: string;
}

/** What the server sent does not match the protocol this console speaks. */
export class ProtocolError extends Error {
  constructor(
    /** What was being read: "GET /snapshot", "events frame", … */
    public what: string,
    public issues: WireIssue[],
  ) {
    super(`${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'ProtocolError';
  }
}

function issuesOf(error: z.ZodError, prefix = ''): WireIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

function report(err: ProtocolError): ProtocolError {
  // the issues in the text too: a browser test reads console messages as text
  console.error(`[pingzhan] does not match the shared schema: ${err.message}`, err.issues);
  return err;
}

/**
 * `value` checked against `schema` when wire checks are on (a reported ProtocolError when it does
 * not match). The value itself is returned, not the parse's output: a development console then
 * holds exactly what a production one does (no stripped fields, no filled-in defaults).
 */
export function decode<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  if (CHECK_WIRE) {
    const r = schema.safeParse(value);
    if (!r.success) throw report(new ProtocolError(what, issuesOf(r.error)));
  }
  return value as z.output<S>;
}

/**
 * The issues of one event against the envelope and the schema of its type's data (none: valid).
 * `checkData: false` checks the envelope only (the replay reads v1 events from the record too).
 */
export function eventIssues(e: unknown, checkData = true): WireIssue[] {
  const env = LiveEventEnvelope.safeParse(e);
  if (!env.success) return issuesOf(env.error);
  if (!checkData) return [];
  const data = EVENT_DATA[env.data.type].safeParse(env.data.data);
  return data.success ? [] : issuesOf(data.error, 'data');
}

/**
 * A socket `events` frame: an array of events, each matching its type's schema. Always checks
 * that it is an array; the events themselves only when wire checks are on.
 */
export function decodeFrame(frame: unknown, check = CHECK_WIRE): LiveEvent[] {
  if (!Array.isArray(frame)) {
    throw report(new ProtocolError('events frame', [{ path: '', message: 'not an array' }]));
  }
  if (!check) return frame as LiveEvent[];
  for (let i = 0; i < frame.length; i++) {
    const issues = eventIssues(frame[i]);
    if (issues.length) {
      const seq = (frame[i] as { seq?: unknown } | null)?.seq;
      throw report(
        new ProtocolError(
          `events frame (event ${i}, seq ${String(seq)})`,
          issues.map((x) => ({ ...x, path: `${i}.${x.path}` })),
        ),
      );
    }
  }
  return frame as LiveEvent[];
}
