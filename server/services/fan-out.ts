import type { LiveEvent } from '../../shared/protocol.ts';
import { EventRing } from './event-ring.ts';

/** One connected console, as the fan-out sees it (a Socket.IO socket, or an in-memory one in tests). */
export interface FeedClient {
  readonly id: string;
  send(events: LiveEvent[]): void;
  resync(info: { reason: 'retention' | 'slow_consumer'; headSeq: number }): void;
  /** Bytes written to this client and not yet taken by the network. */
  buffered(): number;
  drop(): void;
  /**
   * A scoped console (its events filtered by where each incident stood, which only the events
   * that passed through memory carry): it is never caught up from the log beyond memory, it is
   * told to resync (its snapshot is small) instead.
   */
  readonly scoped?: boolean;
}

/** Sends one frame to every client that is up to date; Socket.IO encodes it once for all. */
export interface Broadcaster {
  join(c: FeedClient): void;
  leave(c: FeedClient): void;
  broadcast(events: LiveEvent[]): void;
}

export interface EventLog {
  headSeq(): Promise<number>;
  oldestSeq(): Promise<number>;
  readAfter(since: number, count: number): Promise<LiveEvent[]>;
}

type Behind = { client: FeedClient; cursor: number; reading: boolean; readCount: number };

// What an event weighs on the wire, measured once: a reconnect storm sends the same ring to all.
const eventSizes = new WeakMap<LiveEvent, number>();
function eventBytes(e: LiveEvent): number {
  let n = eventSizes.get(e);
  if (n === undefined) eventSizes.set(e, (n = Buffer.byteLength(JSON.stringify(e)) + 1));
  return n;
}

/** The longest prefix of `events` (at least one) that fits in `budget` bytes. */
function within(events: LiveEvent[], budget: number): LiveEvent[] {
  let bytes = 0;
  let i = 0;
  while (i < events.length && (i === 0 || bytes + eventBytes(events[i]) <= budget))
    bytes += eventBytes(events[i++]);
  return i === events.length ? events : events.slice(0, i);
}

export type FanOutOptions = {
  /** Longest wait between frames under load. */
  frameMs: number;
  /**
   * Socket writes per second the broadcast may cost: with few consoles frames go out sooner than
   * `frameMs` (lower latency), with many they stretch to it. Unset: always `frameMs`.
   */
  writesPerSecond?: number;
  maxBuffer: number;
  ringSize: number;
  readBatch?: number;
};

/**
 * Delivers the ordered log to consoles. Clients that are current share one broadcast frame per
 * tick; a client that is behind (resuming from `since`) reads from memory or Redis on its own
 * until it reaches the broadcast point, then joins. A tick is sent at once on a quiet feed and at
 * most every `frameMs` under load; a client whose unsent bytes pass `maxBuffer` is dropped, so
 * memory stays bounded however slow a console is. Catch-up goes out in slices of a quarter of
 * `maxBuffer`, each once the client has taken most of the one before: a console coming back from
 * far behind (after a drop, a restart) is paced, not dropped again for the size of its backlog.
 */
export class FanOut {
  private ring: EventRing;
  private sent: number;
  private live = new Set<FeedClient>();
  private behind = new Map<string, Behind>();
  private timer: NodeJS.Timeout | null = null;
  private lastTick = 0;
  private closed = false;
  readonly stats = { frames: 0, dropped: 0, resyncs: 0 };
  /** The latest clients dropped as slow consumers (at most 20), with the bytes each had queued then. */
  readonly recentDrops: { id: string; buffered: number }[] = [];

  constructor(
    private readonly log: EventLog,
    private readonly bc: Broadcaster,
    private readonly opts: FanOutOptions,
    headSeq: number,
  ) {
    this.ring = new EventRing(opts.ringSize, headSeq);
    this.sent = headSeq;
  }

  get headSeq(): number {
    return this.ring.head;
  }
  get clientCount(): number {
    return this.live.size + this.behind.size;
  }

  /** Events from the tail of the log, in order. */
  append(events: LiveEvent[]): void {
    for (const e of events) this.ring.push(e);
    this.schedule();
  }

  /** A new console; `since` undefined means "from now". */
  async connect(client: FeedClient, since: number | undefined): Promise<void> {
    const cursor = since ?? this.sent;
    if (since !== undefined) {
      // The log's retention is the promise, even where memory still holds more.
      const [head, oldest] = await Promise.all([this.log.headSeq(), this.log.oldestSeq()]);
      // Ahead of the log means a console from another deployment or a wiped store.
      if (cursor > Math.max(head, this.ring.head) || cursor < oldest - 1)
        return this.resync(client, 'retention');
      if (client.scoped && cursor < this.ring.floor) return this.resync(client, 'retention');
    }
    this.behind.set(client.id, { client, cursor, reading: false, readCount: this.opts.readBatch ?? 2000 });
    this.tick();
  }

  /** Bytes of catch-up sent at once; the next slice waits until the client is below half. */
  private get catchUpBudget(): number {
    return this.opts.maxBuffer / 4;
  }
  private retick: NodeJS.Timeout | null = null;
  /** Come back for clients that are catching up, even on a quiet feed. */
  private retickSoon(ms = 20): void {
    if (this.retick || this.closed) return;
    this.retick = setTimeout(() => {
      this.retick = null;
      this.tick();
    }, ms);
  }

  disconnect(client: FeedClient): void {
    this.live.delete(client);
    this.behind.delete(client.id);
    this.bc.leave(client);
  }

  private resync(client: FeedClient, reason: 'retention' | 'slow_consumer'): void {
    this.stats.resyncs++;
    client.resync({ reason, headSeq: this.ring.head });
  }

  /** The wait between frames under load: what keeps socket writes within their budget. */
  frameInterval(): number {
    const { frameMs, writesPerSecond } = this.opts;
    if (!writesPerSecond) return frameMs;
    return Math.min(frameMs, (this.live.size * 1000) / writesPerSecond);
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastTick + this.frameInterval() - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, wait);
  }

  private tick(): void {
    const upTo = this.ring.head;
    if (this.sent < this.ring.floor) {
      // A burst bigger than memory passed within one tick: live consoles catch up from the log.
      for (const c of this.live) {
        this.bc.leave(c);
        this.behind.set(c.id, {
          client: c,
          cursor: this.sent,
          reading: false,
          readCount: this.opts.readBatch ?? 2000,
        });
      }
      this.live.clear();
      this.sent = upTo;
    }
    const frame = upTo > this.sent ? this.ring.slice(this.sent, upTo)! : [];
    // Clients that memory can serve get everything up to the new head on their own, and join the
    // room only after this tick's broadcast, so nobody gets an event twice.
    const joining: FeedClient[] = [];
    for (const b of this.behind.values()) {
      if (b.reading || b.cursor > upTo) continue;
      const queued = b.client.buffered();
      if (queued > this.opts.maxBuffer) {
        this.drop(b.client, queued);
        continue;
      }
      if (b.cursor < this.ring.floor) {
        if (b.client.scoped) {
          this.disconnect(b.client);
          this.resync(b.client, 'retention');
        } else void this.readFromLog(b);
        continue;
      }
      // Slices from memory while the client takes them; the rest on a later tick.
      while (b.cursor < upTo && b.client.buffered() <= this.opts.maxBuffer / 2) {
        const slice = within(this.ring.slice(b.cursor, upTo)!, this.catchUpBudget);
        b.client.send(slice);
        b.cursor = slice[slice.length - 1].seq;
      }
      if (b.cursor < upTo) {
        this.retickSoon();
        continue;
      }
      this.behind.delete(b.client.id);
      joining.push(b.client);
    }
    if (frame.length) {
      this.lastTick = Date.now();
      this.sent = upTo;
      this.stats.frames++;
      this.bc.broadcast(frame);
    }
    for (const c of joining) {
      this.live.add(c);
      this.bc.join(c);
    }
    // Checked as each frame is written, so a console is dropped within one frame of the bound.
    for (const c of this.live) {
      const queued = c.buffered();
      if (queued > this.opts.maxBuffer) this.drop(c, queued);
    }
  }

  private drop(c: FeedClient, queued: number): void {
    this.stats.dropped++;
    this.recentDrops.push({ id: c.id, buffered: queued });
    if (this.recentDrops.length > 20) this.recentDrops.shift();
    this.disconnect(c);
    this.resync(c, 'slow_consumer');
    c.drop();
  }

  /** Catch-up beyond memory: read the log in slices, pausing while the client's buffer is full. */
  private async readFromLog(b: Behind): Promise<void> {
    b.reading = true;
    try {
      while (this.behind.get(b.client.id) === b && b.cursor < this.ring.floor) {
        if (b.client.buffered() > this.opts.maxBuffer / 2) break;
        const batch = await this.log.readAfter(b.cursor, b.readCount);
        if (batch.length === 0) break;
        if (batch[0].seq !== b.cursor + 1) {
          // Trimmed while we read.
          this.disconnect(b.client);
          return this.resync(b.client, 'retention');
        }
        if (this.behind.get(b.client.id) !== b) return;
        const slice = within(batch, this.catchUpBudget);
        b.client.send(slice);
        b.cursor = slice[slice.length - 1].seq;
        // Read about what fits next time (what did not fit is read again, never skipped).
        const max = this.opts.readBatch ?? 2000;
        b.readCount = slice.length < batch.length ? slice.length : Math.min(max, b.readCount * 2);
      }
    } finally {
      b.reading = false;
    }
    if (this.behind.has(b.client.id)) setTimeout(() => this.tick(), b.cursor < this.ring.floor ? 20 : 0);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retick) clearTimeout(this.retick);
  }
}
