/**
 * The live feed without Svelte: snapshot, socket, per-frame batching, gap catch-up, resync and
 * reconnection with backoff. Everything that touches the outside world comes in through `FeedDeps`
 * so that feed.test.ts can drive it with a fake socket and a manual clock.
 */
import {
  PROTOCOL_VERSION,
  type Hello,
  type LiveEvent,
  type Resync,
  type SessionEnded,
  type Snapshot,
} from '../../../../shared/index.ts';
import { CHECK_WIRE, decodeFrame, ProtocolError } from '../wire.ts';
import { applyBatch, fromSnapshot, knownHead, type BatchResult, type LiveData } from './apply-events.ts';

/** `outdated`: the server speaks another protocol (or sent what this one cannot read); final. */
export type ConnState = 'connecting' | 'live' | 'reconnecting' | 'resyncing' | 'offline' | 'outdated';

/**
 * Why the feed stopped for good: the server announced another protocol version (it was updated:
 * this page is older than it), or it sent a frame or an answer that does not match the schemas.
 * Either way applying more events would show a wrong state; only a reload helps.
 */
export interface ProtocolProblem {
  reason: 'version' | 'invalid';
  /** The version the server announced (reason `version`). */
  serverProtocol?: number;
  /** What did not match (reason `invalid`). */
  detail?: string;
}

export interface FeedStatus {
  state: ConnState;
  /** Last applied seq. */
  seq: number;
  /** Highest seq the server told us about (hello, events, resync). */
  headSeq: number;
  /** Reconnection attempt (0 when connected). */
  attempt: number;
  /** When the next reconnection attempt is due (epoch ms), or null. */
  retryAt: number | null;
  /** How long the last applied event took from the log to this screen, in ms. */
  lagMs: number | null;
  /** Epoch ms of the last frame received from the server. */
  lastFrameAt: number | null;
  /** Set with state `outdated`. */
  problem?: ProtocolProblem;
}

/** The part of a Socket.IO client socket the feed uses. */
export interface FeedSocket {
  on(event: 'connect', fn: () => void): void;
  on(event: 'disconnect', fn: (reason: string) => void): void;
  on(event: 'connect_error', fn: (err: Error) => void): void;
  on(event: 'hello', fn: (info: Hello) => void): void;
  on(event: 'events', fn: (events: LiveEvent[]) => void): void;
  on(event: 'resync', fn: (info: Resync) => void): void;
  on(event: 'session_ended', fn: (info: SessionEnded) => void): void;
  close(): void;
}

export interface FeedDeps {
  loadSnapshot(): Promise<Snapshot>;
  openSocket(since: number): FeedSocket;
  /** Run `fn` once on the next animation frame (batched flush). */
  scheduleFlush(fn: () => void): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  now(): number;
  random(): number;
  /** A connection refusal: resolve 'stop' when the session is gone (the app goes to login). */
  onConnectError?(err: Error): Promise<'retry' | 'stop'>;
  /** Check every event of every frame against the shared schemas (default: CHECK_WIRE). */
  checkFrames?: boolean;
}

export interface FeedListener {
  /** The whole state was (re)loaded from a snapshot. */
  reset(data: LiveData): void;
  /** A batch of events was applied. */
  batch(result: BatchResult, data: LiveData): void;
  status(status: FeedStatus): void;
}

/*
 * Reconnection backoff: "full jitter" (a uniform draw below an exponential ceiling). After a
 * server restart every console is retrying at once; the draw spreads them over the window instead
 * of letting them arrive in waves, and the low cap means none waits long once the server answers
 * again (at 0.5 s doubling to 15 s, 1,000 consoles took 10.6 s to be caught up). A 3 s cap keeps
 * the last console within ~3 s of the return (plus its catch-up); the price during a long outage
 * is one attempt per console every 1.5 s on average, a refused connect each. The attempt count
 * resets on every successful connection.
 */
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 3_000;
/** No retry sooner than this, so a draw near zero does not spin. */
export const BACKOFF_MIN_MS = 50;
/** After this many failed attempts in a row the indicator says offline (retries go on). */
export const OFFLINE_AFTER = 6;

export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(BACKOFF_MIN_MS, Math.round(ceiling * random));
}

export class LiveFeed {
  data: LiveData | null = null;
  private socket: FeedSocket | null = null;
  private buffer: LiveEvent[] = [];
  private flushScheduled = false;
  private retryTimer: unknown = null;
  private stopped = false;
  /** The seq a catch-up reconnection was started from, so one gap does not loop. */
  private catchUpFrom: number | null = null;
  private generation = 0;
  private st: FeedStatus = {
    state: 'connecting',
    seq: 0,
    headSeq: 0,
    attempt: 0,
    retryAt: null,
    lagMs: null,
    lastFrameAt: null,
  };

  constructor(
    private deps: FeedDeps,
    private listener: FeedListener,
  ) {}

  get status(): FeedStatus {
    return this.st;
  }

  start(): void {
    // refused: this page's code is older than the server's; only a reload starts again
    if (this.refused) return;
    this.stopped = false;
    void this.load('connecting');
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.closeSocket();
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  /** Drop the socket and connect again from the last applied seq (the server resends the rest). */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    this.retryTimer = null;
    if (!this.data) {
      void this.load('connecting');
      return;
    }
    this.openSocket();
  }

  /** Whether the feed stopped for good on a protocol problem (see `refuse`). */
  get refused(): boolean {
    return this.st.state === 'outdated';
  }

  /**
   * Stop applying events for good: the server speaks another protocol, or sent something that
   * does not match the schemas. What is on screen stays (marked by the banner) until a reload;
   * nothing buffered is applied. The first problem is the one reported.
   */
  refuse(problem: ProtocolProblem): void {
    if (this.refused) return;
    this.stop();
    this.buffer = [];
    this.setStatus({ state: 'outdated', retryAt: null, problem });
  }

  private setStatus(patch: Partial<FeedStatus>): void {
    this.st = { ...this.st, ...patch };
    this.listener.status(this.st);
  }

  private async load(state: ConnState): Promise<void> {
    const gen = ++this.generation;
    this.closeSocket();
    this.buffer = [];
    this.setStatus({ state });
    let snap: Snapshot;
    try {
      snap = await this.deps.loadSnapshot();
    } catch (e) {
      if (gen !== this.generation || this.stopped) return;
      if (e instanceof ProtocolError) {
        this.refuse({ reason: 'invalid', detail: e.message });
        return;
      }
      this.scheduleReconnect(true);
      return;
    }
    if (gen !== this.generation || this.stopped) return;
    this.data = fromSnapshot(snap);
    this.catchUpFrom = null;
    this.setStatus({ seq: this.data.seq, headSeq: Math.max(this.st.headSeq, this.data.seq) });
    this.listener.reset(this.data);
    this.openSocket();
  }

  private closeSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (s) s.close();
  }

  private openSocket(): void {
    if (this.stopped || !this.data) return;
    this.closeSocket();
    const gen = ++this.generation;
    const sock = this.deps.openSocket(this.data.seq);
    this.socket = sock;
    const mine = () => gen === this.generation && this.socket === sock;
    sock.on('connect', () => {
      if (!mine()) return;
      this.setStatus({ state: 'live', attempt: 0, retryAt: null, lastFrameAt: this.deps.now() });
    });
    sock.on('hello', (info) => {
      if (!mine()) return;
      // Checked in production too (one number): events of another protocol are never applied.
      if (info?.protocol !== PROTOCOL_VERSION) {
        this.refuse({ reason: 'version', serverProtocol: info?.protocol });
        return;
      }
      // A scoped feed has gaps (apply-events.ts); the log's head is no measure of how far behind
      // it is, since most events up to it are other scopes'.
      if (this.data) this.data.scope = info.scope;
      this.setStatus({
        state: 'live',
        attempt: 0,
        retryAt: null,
        headSeq: info.scope ? this.st.seq : info.headSeq,
        lastFrameAt: this.deps.now(),
      });
    });
    sock.on('events', (frame) => {
      if (!mine()) return;
      let events: LiveEvent[];
      try {
        events = decodeFrame(frame, this.deps.checkFrames ?? CHECK_WIRE);
      } catch (e) {
        this.refuse({ reason: 'invalid', detail: e instanceof Error ? e.message : String(e) });
        return;
      }
      for (const e of events) this.buffer.push(e);
      this.st.lastFrameAt = this.deps.now();
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.deps.scheduleFlush(() => {
          this.flushScheduled = false;
          // Flush whatever is buffered, whichever socket scheduled it: after a reconnect the
          // buffer holds the new socket's events too, and applying is idempotent by seq.
          this.flush();
        });
      }
    });
    sock.on('resync', (info) => {
      if (!mine()) return;
      this.setStatus({ headSeq: info.headSeq });
      void this.load('resyncing');
    });
    // Any disconnect, the server's own included ("io server disconnect", which socket.io would
    // not retry: a console dropped as a slow consumer whose resync was lost with its queue),
    // reconnects from the last applied seq; the server catches it up or tells it to resync.
    sock.on('disconnect', () => {
      if (!mine()) return;
      this.closeSocket();
      this.scheduleReconnect();
    });
    sock.on('connect_error', (err) => {
      if (!mine()) return;
      this.closeSocket();
      this.checkSession(gen, err);
    });
    // The session ended (logout, expiry, user removed or re-roled): no blind reconnect with it.
    // The session check sends the app to the login page, or reconnects (fresh role) if it lives.
    sock.on('session_ended', (info) => {
      if (!mine()) return;
      this.closeSocket();
      this.setStatus({ state: 'reconnecting' });
      this.checkSession(gen, new Error(`session_ended: ${info?.reason ?? 'unknown'}`));
    });
  }

  private checkSession(gen: number, err: Error): void {
    const decide = this.deps.onConnectError ? this.deps.onConnectError(err) : Promise.resolve('retry');
    void decide.then((d) => {
      if (d === 'stop') this.stop();
      else if (gen === this.generation && !this.stopped) this.scheduleReconnect();
    });
  }

  /** Apply everything buffered since the last frame: one state update per frame. */
  flush(): void {
    const d = this.data;
    if (!d || this.buffer.length === 0 || this.refused) return;
    const batch = this.buffer;
    this.buffer = [];
    const result = applyBatch(d, batch);
    const head = Math.max(this.st.headSeq, knownHead(d));
    const last = result.applied[result.applied.length - 1];
    const lagMs = last ? Math.max(0, this.deps.now() - Date.parse(last.at)) : this.st.lagMs;
    this.setStatus({ seq: d.seq, headSeq: head, lagMs });
    if (result.applied.length > 0) this.listener.batch(result, d);
    if (result.gap) {
      if (this.catchUpFrom !== d.seq) {
        this.catchUpFrom = d.seq;
        this.openSocket();
      }
    } else {
      this.catchUpFrom = null;
    }
  }

  private scheduleReconnect(reloadSnapshot = false): void {
    if (this.stopped) return;
    if (this.retryTimer !== null) this.deps.clearTimer(this.retryTimer);
    const attempt = this.st.attempt + 1;
    const delay = backoffDelay(attempt, this.deps.random());
    const state: ConnState = attempt >= OFFLINE_AFTER ? 'offline' : 'reconnecting';
    this.setStatus({ state, attempt, retryAt: this.deps.now() + delay });
    this.retryTimer = this.deps.setTimer(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      if (reloadSnapshot || !this.data) void this.load(state);
      else this.openSocket();
    }, delay);
  }
}
