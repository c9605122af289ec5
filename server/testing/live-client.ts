import { io, type Socket } from 'socket.io-client';
import type { LiveEvent, SessionEnded } from '../../shared/protocol.ts';

export type RecordingClientOptions = {
  /** `false` refuses permessage-deflate, as some proxies and older clients do. */
  deflate?: boolean;
  /** ws's permessage-deflate offer, e.g. `{ serverMaxWindowBits: 9 }` (RFC 7692 §7.1.2.1). */
  perMessageDeflate?: Record<string, unknown>;
  /** More handshake headers (e.g. `origin`, `x-forwarded-host`). */
  headers?: Record<string, string>;
  /** The raw `auth` object, to send what a broken or hostile client would (overrides `since`). */
  auth?: Record<string, unknown>;
};

/** A real socket.io-client on `/live`, recording what it receives, for tests and benchmarks. */
export class RecordingClient {
  readonly events: LiveEvent[] = [];
  readonly resyncs: unknown[] = [];
  readonly ended: SessionEnded[] = [];
  readonly disconnects: string[] = [];
  socket: Socket;
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(baseUrl: string, cookie: string, since?: number, opts: RecordingClientOptions = {}) {
    this.socket = io(`${baseUrl}/live`, {
      transports: ['websocket'],
      // ws takes `false` (no offer); engine.io-client's types only know the object form.
      ...(opts.deflate === false ? { perMessageDeflate: false as unknown as { threshold: number } } : {}),
      ...(opts.perMessageDeflate
        ? { perMessageDeflate: { threshold: 1024, ...opts.perMessageDeflate } as { threshold: number } }
        : {}),
      extraHeaders: { cookie, ...opts.headers },
      auth: opts.auth ?? (since === undefined ? {} : { since }),
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('events', (evs: LiveEvent[]) => {
      this.events.push(...evs);
      const last = evs[evs.length - 1]?.seq ?? 0;
      this.waiters = this.waiters.filter((w) => (w.seq <= last ? (w.resolve(), false) : true));
    });
    this.socket.on('resync', (info: unknown) => this.resyncs.push(info));
    this.socket.on('session_ended', (info: SessionEnded) => this.ended.push(info));
    this.socket.on('disconnect', (reason: string) => this.disconnects.push(reason));
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

  /** The connect_error the server answered with (rejects if the socket connects instead). */
  refused(): Promise<Error & { data?: unknown }> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => reject(new Error('connected, but a refusal was expected')));
      this.socket.once('connect_error', (e) => resolve(e));
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
