import { describe, expect, it } from 'vitest';
import type { LiveEvent, Snapshot } from '../../../../shared/index.ts';
import { backoffDelay, LiveFeed, OFFLINE_AFTER, type FeedSocket, type FeedStatus } from './feed.ts';
import type { LiveData } from './apply-events.ts';
import { ev, incident, snapshot } from '../testing/fixtures.ts';

type Handler = (...args: never[]) => void;

class FakeSocket implements FeedSocket {
  handlers = new Map<string, Handler>();
  closed = false;
  constructor(public since: number) {}
  on(event: string, fn: Handler): void {
    this.handlers.set(event, fn);
  }
  close(): void {
    this.closed = true;
  }
  emit(event: string, ...args: unknown[]): void {
    (this.handlers.get(event) as ((...a: unknown[]) => void) | undefined)?.(...args);
  }
}

function harness(snapshots: Array<Snapshot | Error>) {
  const sockets: FakeSocket[] = [];
  const frames: Array<() => void> = [];
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
  const statuses: FeedStatus[] = [];
  const resets: number[] = [];
  const batches: number[][] = [];
  let now = Date.parse('2024-06-01T08:00:01.000Z');
  let snapCalls = 0;
  const feed = new LiveFeed(
    {
      loadSnapshot: async () => {
        const s = snapshots[Math.min(snapCalls++, snapshots.length - 1)];
        if (s instanceof Error) throw s;
        return structuredClone(s);
      },
      openSocket: (since) => {
        const s = new FakeSocket(since);
        sockets.push(s);
        return s;
      },
      scheduleFlush: (fn) => frames.push(fn),
      setTimer: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimer: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
      now: () => now,
      random: () => 0.5,
    },
    {
      reset: (d: LiveData) => resets.push(d.seq),
      batch: (r) => batches.push(r.applied.map((e) => e.seq)),
      status: (s) => statuses.push(s),
    },
  );
  const frame = () => {
    const f = frames.splice(0);
    for (const fn of f) fn();
  };
  const fireTimers = async () => {
    const t = timers.splice(0).filter((x) => !x.cleared);
    for (const x of t) x.fn();
    await tick();
  };
  return {
    feed,
    sockets,
    frame,
    fireTimers,
    timers,
    statuses,
    resets,
    batches,
    last: () => sockets[sockets.length - 1],
    advance: (ms: number) => (now += ms),
    get snapCalls() {
      return snapCalls;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const inc = (seq: number): LiveEvent => ev(seq, { type: 'incident.created', data: incident(`i${seq}`) });

describe('LiveFeed', () => {
  it('loads the snapshot, then connects from its seq and goes live', async () => {
    const h = harness([snapshot({ seq: 7 })]);
    h.feed.start();
    await tick();
    expect(h.resets).toEqual([7]);
    expect(h.last().since).toBe(7);
    h.last().emit('connect');
    h.last().emit('hello', { protocol: 1, headSeq: 9, serverId: 'a' });
    expect(h.feed.status.state).toBe('live');
    expect(h.feed.status.headSeq).toBe(9);
  });

  it('applies all events of a frame in one batch', async () => {
    const h = harness([snapshot({ seq: 0 })]);
    h.feed.start();
    await tick();
    h.last().emit('connect');
    h.last().emit('events', [inc(1), inc(2)]);
    h.last().emit('events', [inc(3)]);
    expect(h.batches).toEqual([]);
    h.frame();
    expect(h.batches).toEqual([[1, 2, 3]]);
    expect(h.feed.status.seq).toBe(3);
  });

  it('on a gap, reconnects once from the last applied seq and converges', async () => {
    const h = harness([snapshot({ seq: 0 })]);
    h.feed.start();
    await tick();
    const first = h.last();
    first.emit('connect');
    first.emit('events', [inc(1), inc(3), inc(4)]);
    h.frame();
    expect(h.feed.status.seq).toBe(1);
    expect(first.closed).toBe(true);
    const second = h.last();
    expect(second).not.toBe(first);
    expect(second.since).toBe(1);
    // events from the dropped socket are ignored
    first.emit('events', [inc(2)]);
    second.emit('connect');
    second.emit('events', [inc(2), inc(3), inc(4), inc(5)]);
    h.frame();
    expect(h.feed.status.seq).toBe(5);
    expect(h.feed.data?.pending.size).toBe(0);
  });

  it('resync reloads the snapshot and reconnects from its seq', async () => {
    const h = harness([snapshot({ seq: 3 }), snapshot({ seq: 50 })]);
    h.feed.start();
    await tick();
    h.last().emit('connect');
    h.last().emit('resync', { reason: 'slow_consumer', headSeq: 50 });
    expect(h.feed.status.state).toBe('resyncing');
    await tick();
    expect(h.resets).toEqual([3, 50]);
    expect(h.last().since).toBe(50);
    h.last().emit('connect');
    expect(h.feed.status.state).toBe('live');
  });

  it('reconnects with growing backoff and says offline after repeated failures', async () => {
    const h = harness([snapshot({ seq: 2 })]);
    h.feed.start();
    await tick();
    h.last().emit('connect');
    h.last().emit('disconnect', 'transport close');
    expect(h.feed.status.state).toBe('reconnecting');
    const delays: number[] = [];
    for (let i = 0; i < OFFLINE_AFTER; i++) {
      delays.push(h.timers[h.timers.length - 1].ms);
      await h.fireTimers();
      h.last().emit('connect_error', new Error('xhr poll error'));
      await tick();
    }
    expect(delays[1]).toBeGreaterThan(delays[0]);
    expect(h.feed.status.state).toBe('offline');
    await h.fireTimers();
    expect(h.last().since).toBe(2);
    h.last().emit('connect');
    expect(h.feed.status.state).toBe('live');
    expect(h.feed.status.attempt).toBe(0);
  });

  it('retries the snapshot when it cannot be loaded', async () => {
    const h = harness([new Error('down'), snapshot({ seq: 4 })]);
    h.feed.start();
    await tick();
    expect(h.feed.status.state).toBe('reconnecting');
    expect(h.sockets).toHaveLength(0);
    await h.fireTimers();
    await tick();
    expect(h.resets).toEqual([4]);
    expect(h.last().since).toBe(4);
  });

  it('backoff is capped', () => {
    expect(backoffDelay(1, 1)).toBe(500);
    expect(backoffDelay(30, 1)).toBe(15_000);
    expect(backoffDelay(30, 0)).toBe(7_500);
  });
});
