import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../shared/protocol.ts';
import { mulberry32 as rng } from '../../shared/random.ts';
import { FanOut, type Broadcaster, type EventLog, type FeedClient } from './fan-out.ts';

const ev = (seq: number) =>
  ({ seq, type: 'mode.changed', at: '', data: { id: 'mode' } }) as unknown as LiveEvent;

class MemoryLog implements EventLog {
  events: LiveEvent[] = [];
  constructor(private readonly retention: number) {}
  append(n: number) {
    const out: LiveEvent[] = [];
    for (let i = 0; i < n; i++) out.push(ev(this.events.length + 1 + i));
    this.events.push(...out);
    return out;
  }
  async headSeq() {
    return this.events.length;
  }
  async oldestSeq() {
    return Math.max(1, this.events.length - this.retention + 1);
  }
  async readAfter(since: number, count: number) {
    const oldest = await this.oldestSeq();
    return this.events.slice(Math.max(since, oldest - 1), Math.max(since, oldest - 1) + count);
  }
}

class MemoryClient implements FeedClient {
  got: number[] = [];
  resyncs: string[] = [];
  dropped = false;
  backlog = 0;
  constructor(readonly id: string) {}
  send(events: LiveEvent[]) {
    if (this.dropped) throw new Error('sent to a dropped client');
    this.got.push(...events.map((e) => e.seq));
  }
  resync(info: { reason: string }) {
    this.resyncs.push(info.reason);
  }
  buffered() {
    return this.backlog;
  }
  drop() {
    this.dropped = true;
  }
}

class MemoryRoom implements Broadcaster {
  members = new Set<FeedClient>();
  frames = 0;
  join(c: FeedClient) {
    this.members.add(c);
  }
  leave(c: FeedClient) {
    this.members.delete(c);
  }
  broadcast(events: LiveEvent[]) {
    this.frames++;
    for (const c of this.members) c.send(events);
  }
}

const settle = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('did not settle');
    await new Promise((r) => setTimeout(r, 2));
  }
};

function expectContiguous(c: MemoryClient, from: number, to: number) {
  expect(c.got).toEqual(Array.from({ length: to - from }, (_, i) => from + 1 + i));
}

describe('FanOut', () => {
  for (const seed of [1, 2, 3, 42, 1337]) {
    it(`delivers every event once and in order to every client (seed ${seed})`, async () => {
      const rand = rng(seed);
      const log = new MemoryLog(100_000);
      const room = new MemoryRoom();
      const fan = new FanOut(log, room, { frameMs: 1, maxBuffer: 1e9, ringSize: 50, readBatch: 7 }, 0);
      const clients: { c: MemoryClient; since: number }[] = [];
      for (let step = 0; step < 300; step++) {
        const r = rand();
        if (r < 0.5) fan.append(log.append(1 + Math.floor(rand() * 20)));
        else if (r < 0.7) {
          // A console joining from some point in the past (or now).
          const since = Math.floor(rand() * (log.events.length + 1));
          const c = new MemoryClient(`c${step}`);
          clients.push({ c, since });
          await fan.connect(c, since);
        } else if (r < 0.8 && clients.length) {
          await new Promise((res) => setTimeout(res, 1));
        }
      }
      const head = log.events.length;
      await settle(() => clients.every(({ c, since }) => c.got.length >= head - since));
      for (const { c, since } of clients) expectContiguous(c, since, head);
      fan.close();
    });
  }

  it('sends one frame per tick under load, and at once on a quiet feed', async () => {
    const log = new MemoryLog(1000);
    const room = new MemoryRoom();
    const fan = new FanOut(log, room, { frameMs: 40, maxBuffer: 1e9, ringSize: 1000 }, 0);
    const c = new MemoryClient('a');
    await fan.connect(c, 0);
    fan.append(log.append(1));
    await settle(() => c.got.length === 1, 20);
    for (let i = 0; i < 50; i++) fan.append(log.append(1));
    await settle(() => c.got.length === 51);
    expect(room.frames).toBeLessThanOrEqual(3);
    fan.close();
  });

  it('stretches frames with the number of consoles, within the write budget and frameMs', async () => {
    const log = new MemoryLog(1000);
    const fan = new FanOut(
      log,
      new MemoryRoom(),
      { frameMs: 100, writesPerSecond: 5000, maxBuffer: 1e9, ringSize: 1000 },
      0,
    );
    const join = async (n: number) => {
      for (let i = 0; i < n; i++) await fan.connect(new MemoryClient(`c${fan.clientCount}`), 0);
      fan.append(log.append(1)); // a tick moves joining consoles into the broadcast
      await settle(() => fan.frameInterval() > 0 || n === 0);
    };
    expect(fan.frameInterval()).toBe(0);
    await join(10);
    expect(fan.frameInterval()).toBeCloseTo(2); // 10 consoles × 500 frames/s = 5,000 writes/s
    await join(90);
    expect(fan.frameInterval()).toBeCloseTo(20);
    await join(900);
    expect(fan.frameInterval()).toBe(100); // never longer than frameMs
    fan.close();
  });

  it('drops a slow client past its buffer bound and tells it why; others carry on', async () => {
    const log = new MemoryLog(1000);
    const room = new MemoryRoom();
    const fan = new FanOut(log, room, { frameMs: 1, maxBuffer: 1000, ringSize: 1000 }, 0);
    const slow = new MemoryClient('slow');
    const fast = new MemoryClient('fast');
    await fan.connect(slow, 0);
    await fan.connect(fast, 0);
    fan.append(log.append(5));
    await settle(() => fast.got.length === 5 && slow.got.length === 5);
    slow.backlog = 5000;
    fan.append(log.append(5));
    await settle(() => fast.got.length === 10);
    await settle(() => slow.dropped);
    expect(slow.resyncs).toEqual(['slow_consumer']);
    expect(fan.clientCount).toBe(1);
    fan.append(log.append(5));
    await settle(() => fast.got.length === 15);
    expectContiguous(fast, 0, 15);
    fan.close();
  });

  it('sends resync to a client older than retention', async () => {
    const log = new MemoryLog(10);
    const fan = new FanOut(log, new MemoryRoom(), { frameMs: 1, maxBuffer: 1e9, ringSize: 5 }, 0);
    log.append(50);
    const c = new MemoryClient('old');
    await fan.connect(c, 3);
    expect(c.resyncs).toEqual(['retention']);
    expect(c.got).toEqual([]);
    fan.close();
  });

  it('tells a scoped client to resync rather than read the log beyond memory; within memory it catches up', async () => {
    const log = new MemoryLog(1000);
    const fan = new FanOut(log, new MemoryRoom(), { frameMs: 1, maxBuffer: 1e9, ringSize: 10 }, 0);
    fan.append(log.append(30));
    class Scoped extends MemoryClient {
      readonly scoped = true;
    }
    const far = new Scoped('far');
    await fan.connect(far, 5);
    expect(far.resyncs).toEqual(['retention']);
    expect(far.got).toEqual([]);
    const near = new Scoped('near');
    await fan.connect(near, 25);
    await settle(() => near.got.length === 5);
    expectContiguous(near, 25, 30);
    // An unscoped client that far back is served from the log as before.
    const operator = new MemoryClient('operator');
    await fan.connect(operator, 5);
    await settle(() => operator.got.length === 25);
    expect(operator.resyncs).toEqual([]);
    fan.close();
  });

  /** A client whose buffer fills with what it is sent and drains as a network would. */
  class DrainingClient extends MemoryClient {
    peak = 0;
    override send(events: LiveEvent[]) {
      super.send(events);
      this.backlog += events.reduce((n, e) => n + JSON.stringify(e).length + 1, 0);
      this.peak = Math.max(this.peak, this.backlog);
    }
  }

  for (const where of ['memory', 'the log'] as const) {
    it(`paces a console catching up from far behind (from ${where}) instead of dropping it for its backlog`, async () => {
      const log = new MemoryLog(100_000);
      const maxBuffer = 4096;
      const ringSize = where === 'memory' ? 5000 : 50;
      const fan = new FanOut(log, new MemoryRoom(), { frameMs: 1, maxBuffer, ringSize, readBatch: 500 }, 0);
      fan.append(log.append(2000)); // ~100 kB: 25 times the bound
      const c = new DrainingClient('back');
      const drain = setInterval(() => (c.backlog = Math.max(0, c.backlog - 1024)), 1);
      try {
        await fan.connect(c, 0);
        await settle(() => c.got.length === 2000 || c.dropped, 10_000);
      } finally {
        clearInterval(drain);
      }
      expect(c.dropped).toBe(false);
      expectContiguous(c, 0, 2000);
      // Slices of a quarter of the bound, sent while it is under half: never past the bound.
      expect(c.peak).toBeLessThanOrEqual(maxBuffer);
      fan.close();
    });
  }
});
