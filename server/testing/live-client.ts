import { io, type Socket } from 'socket.io-client';
import type { LiveEvent } from '../../shared/protocol.ts';

/** A real socket.io-client on `/live`, recording what it receives, for tests and benchmarks. */
export class RecordingClient {
  readonly events: LiveEvent[] = [];
  readonly resyncs: unknown[] = [];
  socket: Socket;
  private waiters: { seq: number; resolve: () => void }[] = [];

  /** `deflate: false` refuses permessage-deflate, as some proxies and older clients do. */
  constructor(baseUrl: string, cookie: string, since?: number, opts: { deflate?: boolean } = {}) {
    this.socket = io(`${baseUrl}/live`, {
      transports: ['websocket'],
      // ws takes `false` (no offer); engine.io-client's types only know the object form.
      ...(opts.deflate === false ? { perMessageDeflate: false as unknown as { threshold: number } } : {}),
      extraHeaders: { cookie },
      auth: since === undefined ? {} : { since },
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('events', (evs: LiveEvent[]) => {
      this.events.push(...evs);
      const last = evs[evs.length - 1]?.seq ?? 0;
      this.waiters = this.waiters.filter((w) => (w.seq <= last ? (w.resolve(), false) : true));
    });
    this.socket.on('resync', (info: unknown) => this.resyncs.push(info));
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (e) => reject(e));
    });
  }

  /** Resolves when an event with seq >= `seq` has arrived. */
  waitForSeq(seq: number, timeoutMs = 20_000): Promise<void> {
    if (this.lastSeq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`timed out waiting for seq ${seq}; at ${this.lastSeq}`)),
        timeoutMs,
      );
      this.waiters.push({ seq, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  close(): void {
    this.socket.disconnect();
  }
}
