/**
 * The pure heart of replay: the recorded state at `from` plus the recorded events, positioned at
 * any moment. It applies events with the console's own `applyBatch`, so a replayed state is
 * exactly what a live console showed. No Svelte, no DOM, no timers.
 */
import type { LiveEvent, Snapshot } from '../../../../shared/index.ts';
import { allChanges, applyBatch, fromSnapshot, type Changes, type LiveData } from '../live/apply-events.ts';

export interface Position {
  data: LiveData;
  /** The events applied by this move, in order (all of them up to the moment after a rebuild). */
  applied: LiveEvent[];
  /** True when the state was rebuilt from the start (a move backwards): views redraw everything. */
  rebuilt: boolean;
  changes: Changes;
}

export class Timeline {
  readonly from: number;
  readonly to: number;
  private readonly times: number[];
  private data: LiveData;
  /** How many events are applied to `data`. */
  private cursor = 0;

  constructor(
    private readonly initial: Snapshot,
    readonly events: readonly LiveEvent[],
    from: string,
    to: string,
  ) {
    this.from = Date.parse(from);
    this.to = Date.parse(to);
    this.times = events.map((e) => Date.parse(e.at));
    this.data = fromSnapshot(initial);
  }

  /** How many events happened at or before `t` (a prefix: the log is in seq order). */
  countAt(t: number): number {
    let n = 0;
    while (n < this.times.length && this.times[n] <= t) n++;
    return n;
  }

  get applied(): number {
    return this.cursor;
  }

  current(): LiveData {
    return this.data;
  }

  /** The state at moment `t`: initial + every event at or before it. */
  seek(t: number): Position {
    const n = this.countAt(t);
    if (n >= this.cursor) {
      const applied = this.events.slice(this.cursor, n);
      const r = applyBatch(this.data, applied);
      this.cursor = n;
      return { data: this.data, applied: r.applied, rebuilt: false, changes: r.changes };
    }
    // Backwards: entities are replaced, never mutated, so the initial arrays can be shared.
    this.data = fromSnapshot(this.initial);
    const r = applyBatch(this.data, this.events.slice(0, n));
    this.cursor = n;
    return { data: this.data, applied: r.applied, rebuilt: true, changes: allChanges() };
  }
}

/** Playback speeds offered: real time, and faster for long windows. */
export const SPEEDS = [1, 10, 60] as const;
export type Speed = (typeof SPEEDS)[number];

/** The moment after `elapsedMs` of wall time at `speed`, never past the end. */
export function advance(t: number, elapsedMs: number, speed: number, end: number): number {
  return Math.min(end, t + elapsedMs * speed);
}

/** The window to replay for an operation: a little before its activation to a little after it ended. */
export function operationWindow(
  op: { activatedAt: string; stoodDownAt: string | null },
  now = Date.now(),
): { from: string; to: string } {
  const PAD_BEFORE = 2 * 60_000;
  const PAD_AFTER = 60_000;
  const from = Date.parse(op.activatedAt) - PAD_BEFORE;
  const end = op.stoodDownAt ? Date.parse(op.stoodDownAt) + PAD_AFTER : now;
  return { from: new Date(from).toISOString(), to: new Date(Math.min(end, now)).toISOString() };
}

/** A moment as ISO text (UTC). */
export const isoAt = (t: number | string) => new Date(t).toISOString();

/** The path of a replay: a window, and the operation it is of when there is one. */
export function replayPath(w: { from?: string; to?: string; operation?: string | null }): string {
  const params = new URLSearchParams();
  if (w.operation) params.set('operation', w.operation);
  if (w.from) params.set('from', w.from);
  if (w.to) params.set('to', w.to);
  return `/replay?${params}`;
}
