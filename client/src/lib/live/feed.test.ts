import { describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION, type Incident, type LiveEvent, type Snapshot } from '../../../../shared/index.ts';
import { CHECK_WIRE, ProtocolError, type WireIssue } from '../wire.ts';
import {
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  backoffDelay,
  LiveFeed,
  OFFLINE_AFTER,
  type FeedDeps,
  type FeedSocket,
  type FeedStatus,
} from './feed.ts';
import type { LiveData } from './apply-events.ts';
import { ev, incident, snapshot, T0 } from '../testing/fixtures.ts';

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

function harness(snapshots: Array<Snapshot | Error>, extra: Partial<FeedDeps> = {}) {
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
      ...extra,
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
    h.last().emit('hello', { protocol: PROTOCOL_VERSION, headSeq: 9, serverId: 'a' });
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

  it('backoff is full jitter under a ceiling that doubles up to a low cap', () => {
    expect(backoffDelay(1, 1)).toBe(250);
    expect(backoffDelay(2, 1)).toBe(500);
    expect(backoffDelay(30, 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(30, 0.5)).toBe(BACKOFF_MAX_MS / 2);
    // Full jitter: the draw spans the whole window, not only its upper half.
    expect(backoffDelay(30, 0.1)).toBe(BACKOFF_MAX_MS / 10);
    expect(backoffDelay(1, 0)).toBe(BACKOFF_MIN_MS);
    expect(BACKOFF_MAX_MS).toBeLessThanOrEqual(5_000);
  });

  it('after the server drops it ("io server disconnect"), reconnects promptly from its last seq', async () => {
    const h = harness([snapshot({ seq: 0 })]);
    h.feed.start();
    await tick();
    h.last().emit('connect');
    h.last().emit('events', [inc(1), inc(2)]);
    h.frame();
    // Dropped as a slow consumer: the resync message was lost with the queue.
    h.last().emit('disconnect', 'io server disconnect');
    expect(h.feed.status.state).toBe('reconnecting');
    expect(h.timers.at(-1)!.ms).toBeLessThanOrEqual(250);
    await h.fireTimers();
    expect(h.last().since).toBe(2);
    expect(h.snapCalls).toBe(1);
  });

  it('when the session ends, checks it instead of reconnecting, and stops when it is gone', async () => {
    const errors: string[] = [];
    const h = harness([snapshot({ seq: 3 })], {
      onConnectError: async (err) => {
        errors.push(err.message);
        return 'stop';
      },
    });
    h.feed.start();
    await tick();
    const sock = h.last();
    sock.emit('connect');
    sock.emit('session_ended', { reason: 'logout' });
    sock.emit('disconnect', 'io server disconnect');
    await tick();
    expect(sock.closed).toBe(true);
    expect(errors).toEqual(['session_ended: logout']);
    expect(h.timers.filter((t) => !t.cleared)).toHaveLength(0);
    expect(h.sockets).toHaveLength(1);
  });

  it('when the session ends but the session check says it lives (a role change), reconnects', async () => {
    const h = harness([snapshot({ seq: 3 })], { onConnectError: async () => 'retry' });
    h.feed.start();
    await tick();
    h.last().emit('connect');
    h.last().emit('session_ended', { reason: 'role_changed' });
    h.last().emit('disconnect', 'io server disconnect');
    await tick();
    expect(h.timers.filter((t) => !t.cleared)).toHaveLength(1);
    await h.fireTimers();
    expect(h.sockets).toHaveLength(2);
    expect(h.last().since).toBe(3);
  });
});

describe('LiveFeed protocol checks', () => {
  const silenceErrors = () => vi.spyOn(console, 'error').mockImplementation(() => undefined);

  it('checks frames against the shared schemas in tests (CHECK_WIRE)', () => {
    expect(CHECK_WIRE).toBe(true);
  });

  it('a hello of another protocol stops the feed for good: nothing more is applied, no reconnection', async () => {
    const h = harness([snapshot({ seq: 3 })]);
    h.feed.start();
    await tick();
    const s = h.last();
    s.emit('connect');
    s.emit('events', [inc(4)]);
    s.emit('hello', { protocol: PROTOCOL_VERSION + 1, headSeq: 9, serverId: 'a' });
    expect(h.feed.status).toMatchObject({
      state: 'outdated',
      problem: { reason: 'version', serverProtocol: PROTOCOL_VERSION + 1 },
    });
    expect(s.closed).toBe(true);
    // the frame buffered before the hello, and anything after, is never applied
    s.emit('events', [inc(5)]);
    h.frame();
    expect(h.batches).toEqual([]);
    expect(h.feed.status.seq).toBe(3);
    await h.fireTimers();
    h.feed.reconnectNow();
    h.feed.start();
    await tick();
    expect(h.sockets).toHaveLength(1);
    expect(h.snapCalls).toBe(1);
    expect(h.feed.status.state).toBe('outdated');
  });

  it('a frame that does not match the schemas is reported and stops the feed; none of it is applied', async () => {
    const errors = silenceErrors();
    try {
      const h = harness([snapshot({ seq: 0 })]);
      h.feed.start();
      await tick();
      h.last().emit('connect');
      h.last().emit('hello', { protocol: PROTOCOL_VERSION, headSeq: 0, serverId: 'a' });
      h.last().emit('events', [inc(1)]);
      h.frame();
      expect(h.batches).toEqual([[1]]);
      // a v1 incident (history, no lastAction) on a v2 feed
      const { lastAction: _drop, ...v1 } = incident('i2');
      const bad = ev(2, { type: 'incident.created', data: { ...v1, history: [] } as unknown as Incident });
      h.last().emit('events', [inc(3), bad]);
      h.frame();
      expect(h.batches).toEqual([[1]]);
      expect(h.feed.status).toMatchObject({ state: 'outdated', seq: 1, problem: { reason: 'invalid' } });
      expect(h.feed.status.problem?.detail).toContain('lastAction');
      expect(errors).toHaveBeenCalledTimes(1);
      const [, issues] = errors.mock.calls[0] as [string, WireIssue[]];
      expect(issues).toEqual([expect.objectContaining({ path: '1.data.lastAction' })]);
    } finally {
      errors.mockRestore();
    }
  });

  it('a frame that is not an array stops the feed, checks on or off', async () => {
    const errors = silenceErrors();
    try {
      for (const checkFrames of [true, false]) {
        const h = harness([snapshot({ seq: 0 })], { checkFrames });
        h.feed.start();
        await tick();
        h.last().emit('events', { seq: 1 });
        expect(h.feed.status.state).toBe('outdated');
      }
    } finally {
      errors.mockRestore();
    }
  });

  it('with checks off (production), a well-formed frame is applied without decoding', async () => {
    const h = harness([snapshot({ seq: 0 })], { checkFrames: false });
    h.feed.start();
    await tick();
    // an unknown event type from a newer server of the same protocol: its seq still counts
    h.last().emit('events', [inc(1), { seq: 2, type: 'case.overdue', at: T0, data: { id: 'c' } }]);
    h.frame();
    expect(h.batches).toEqual([[1, 2]]);
  });

  it('a snapshot that does not match the schemas stops the feed instead of retrying forever', async () => {
    const h = harness([
      new ProtocolError('GET /snapshot', [{ path: 'incidents.0.lastAction', message: 'x' }]),
    ]);
    h.feed.start();
    await tick();
    expect(h.feed.status).toMatchObject({ state: 'outdated', problem: { reason: 'invalid' } });
    expect(h.timers.filter((t) => !t.cleared)).toHaveLength(0);
    expect(h.sockets).toHaveLength(0);
  });
});
