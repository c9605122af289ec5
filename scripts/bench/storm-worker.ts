/**
 * A child process holding many consoles for the reconnect-storm scenario (storm.ts). Each console
 * reconnects as the product's console does: after any disconnect or refused connection it waits
 * `backoffDelay(attempt, random)` (client/src/lib/live/feed.ts, the very function the console
 * uses) and connects again from the last seq it applied; the attempt count resets on connection.
 * Driven over IPC; reports, per console, when it first had every event up to a target seq.
 */
import { io, type Socket } from 'socket.io-client';
import { backoffDelay } from '../../client/src/lib/live/feed.ts';

export type StormCommand =
  | { cmd: 'connect'; url: string; cookie: string; count: number }
  | { cmd: 'status' }
  | { cmd: 'caughtUp'; target: number }
  | { cmd: 'close' };

export type StormReply =
  | { cmd: 'connected'; connected: number }
  | { cmd: 'status'; live: number; seqs: number[] }
  /** Epoch ms at which each console first had seq >= target while connected (null: not yet). */
  | { cmd: 'caughtUp'; at: (number | null)[]; connectedAt: (number | null)[]; attempts: number };

const epochMs = () => performance.timeOrigin + performance.now();

class StormConsole {
  seq = 0;
  attempt = 0;
  live = false;
  /** Epoch ms of the last successful connection. */
  connectedAt: number | null = null;
  /** Reconnection attempts made (all consoles, for the report). */
  static attempts = 0;
  /** (epoch ms, seq) each time the applied seq moved, to find when a target was reached. */
  readonly progress: [number, number][] = [];
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly cookie: string,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve) => {
      const s = io(`${this.url}/live`, {
        transports: ['websocket'],
        extraHeaders: { cookie: this.cookie },
        auth: this.seq ? { since: this.seq } : {},
        reconnection: false,
        forceNew: true,
        timeout: 20_000,
      });
      this.socket = s;
      s.on('connect', () => {
        this.live = true;
        this.connectedAt = epochMs();
        this.attempt = 0;
        resolve();
      });
      s.on('events', (events: { seq: number }[]) => {
        // The server sends each event once, in order: the last one is where the console is.
        const last = events.at(-1)?.seq ?? this.seq;
        if (last > this.seq) {
          this.seq = last;
          this.progress.push([epochMs(), last]);
        }
      });
      s.on('resync', (info: { headSeq: number }) => {
        // The real console reloads its snapshot: that makes it current at the head.
        this.seq = info.headSeq;
        this.progress.push([epochMs(), info.headSeq]);
      });
      const retry = () => {
        this.live = false;
        s.removeAllListeners();
        s.disconnect();
        resolve();
        this.scheduleRetry();
      };
      s.on('disconnect', retry);
      s.on('connect_error', retry);
    });
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.attempt++;
    StormConsole.attempts++;
    this.timer = setTimeout(() => void this.open(), backoffDelay(this.attempt, Math.random()));
  }

  caughtUpAt(target: number): number | null {
    if (!this.live || this.seq < target) return null;
    return this.progress.find(([, seq]) => seq >= target)?.[0] ?? null;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
  }
}

const consoles: StormConsole[] = [];

function send(msg: StormReply): void {
  process.send!(msg);
}

process.on('message', (msg: StormCommand) => {
  switch (msg.cmd) {
    case 'connect':
      void (async () => {
        for (let i = 0; i < msg.count; i += 25) {
          const batch = Array.from({ length: Math.min(25, msg.count - i) }, () => {
            const c = new StormConsole(msg.url, msg.cookie);
            consoles.push(c);
            return c.open();
          });
          await Promise.all(batch);
        }
        send({ cmd: 'connected', connected: consoles.filter((c) => c.live).length });
      })();
      break;
    case 'status':
      send({ cmd: 'status', live: consoles.filter((c) => c.live).length, seqs: consoles.map((c) => c.seq) });
      break;
    case 'caughtUp':
      send({
        cmd: 'caughtUp',
        at: consoles.map((c) => c.caughtUpAt(msg.target)),
        connectedAt: consoles.map((c) => (c.live ? c.connectedAt : null)),
        attempts: StormConsole.attempts,
      });
      break;
    case 'close':
      for (const c of consoles) c.close();
      setTimeout(() => process.exit(0), 100);
      break;
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
