/**
 * A child process holding many live-feed clients (real socket.io-client, WebSocket transport),
 * so that the clients' own work does not run on the benchmark's or the server's event loop.
 * Driven over IPC by run.ts; answers with summaries and a merged latency histogram.
 */
import { io, type Socket } from 'socket.io-client';
import { cachingParser } from './caching-parser.ts';
import { SharedTextWebSocket } from './shared-text-transport.ts';
import { FeedCheck, frameInfo, type FrameInfo, type WireEvent } from './feed-check.ts';
import { Histogram, nowMs } from './histogram.ts';

export type WorkerCommand =
  | { cmd: 'connect'; url: string; path: string; cookie?: string; count: number }
  | { cmd: 'tag'; tag: string }
  | { cmd: 'report' }
  | { cmd: 'close' };

export type WorkerReply =
  | { cmd: 'connected'; connected: number; failed: number; error?: string }
  | { cmd: 'tagged' }
  | {
      cmd: 'report';
      clients: ReturnType<FeedCheck['summary']>[];
      latency: ReturnType<Histogram['toJSON']>;
      pipeline: ReturnType<Histogram['toJSON']>;
      sample: unknown;
    };

const sockets: Socket[] = [];
const checks: FeedCheck[] = [];
let tag = '\u0000';
let latency = new Histogram();
let pipeline = new Histogram();
let sample: unknown = null;
// Frames are shared objects across clients (caching parser): derive their info once.
let infos = new WeakMap<object, FrameInfo>();

function send(msg: WorkerReply): void {
  process.send!(msg);
}

async function connect(url: string, path: string, cookie: string | undefined, count: number): Promise<void> {
  let connected = 0;
  let failed = 0;
  let error: string | undefined;
  // In batches, as consoles coming online over a few seconds would.
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, () => {
      const s = io(url + path, {
        transports: [SharedTextWebSocket],
        extraHeaders: cookie ? { cookie } : {},
        reconnection: false,
        forceNew: true,
        parser: cachingParser,
        timeout: 20_000,
      });
      const check = new FeedCheck();
      s.on('events', (events: WireEvent[]) => {
        const at = nowMs();
        let info = infos.get(events);
        if (!info) {
          infos.set(events, (info = frameInfo(events, tag)));
          // Once per frame per process, not per client: it is a property of the event.
          for (const ms of info.pipelineMs) pipeline.record(ms);
        }
        if (sample === null && info.posted.length) sample = events.find((e) => e.type === 'incident.created');
        check.onFrame(events, info, at, latency);
      });
      s.on('resync', () => check.resyncs++);
      s.on('disconnect', () => (check.disconnected = true));
      sockets.push(s);
      checks.push(check);
      return new Promise<void>((resolve) => {
        s.once('connect', () => (connected++, resolve()));
        s.once('connect_error', (e) => {
          failed++;
          error = e.message;
          resolve();
        });
      });
    });
    await Promise.all(batch);
  }
  send({ cmd: 'connected', connected, failed, error });
}

process.on('message', (msg: WorkerCommand) => {
  switch (msg.cmd) {
    case 'connect':
      void connect(msg.url, msg.path, msg.cookie, msg.count);
      break;
    case 'tag':
      tag = msg.tag;
      latency = new Histogram();
      pipeline = new Histogram();
      infos = new WeakMap();
      sample = null;
      for (const c of checks) c.reset();
      send({ cmd: 'tagged' });
      break;
    case 'report':
      send({
        cmd: 'report',
        clients: checks.map((c) => c.summary()),
        latency: latency.toJSON(),
        pipeline: pipeline.toJSON(),
        sample,
      });
      break;
    case 'close':
      for (const s of sockets) s.disconnect();
      setTimeout(() => process.exit(0), 100);
      break;
  }
});
// The parent going away (Ctrl-C, crash) must not leave clients running.
process.on('disconnect', () => process.exit(0));
// Exit normally on SIGTERM, so that --cpu-prof (BENCH_CLIENT_NODE_ARGS) writes its profile.
process.on('SIGTERM', () => process.exit(0));
