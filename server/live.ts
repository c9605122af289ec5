import type { FastifyInstance } from 'fastify';
import type { Container } from './container.ts';
import { LiveGateway } from './gateways/live.gateway.ts';
import { StreamTailer } from './gateways/stream-tailer.ts';
import { connect } from './infra/redis.ts';
import { parseSessionCookie } from './plugins/auth.ts';
import { ScopeTracker } from './live/scoped-feed.ts';
import { FanOut } from './services/fan-out.ts';
import { newId } from './services/ids.ts';

export type Live = { fanOut: FanOut; gateway: LiveGateway; close(): Promise<void> };

/**
 * The live feed of one server process: tail the log, fan it out over Socket.IO `/live`.
 * Must be attached before the app listens, since Socket.IO hooks the HTTP server.
 */
export async function attachLive(app: FastifyInstance, c: Container): Promise<Live> {
  // The working set and its seq in one read: scoped consoles' filter starts from where every
  // incident stands at the seq the feed starts from (`now = 0`: finished ones too, until archived).
  const working = await c.state.snapshot(0);
  const head = working.seq;
  const tracker = new ScopeTracker(working);
  const gateway = new LiveGateway(
    app.server,
    (cookie) => c.auth.liveSession(parseSessionCookie(cookie)),
    {
      serverId: newId('srv'),
      origins: { trustProxy: c.config.trustProxy, allowedOrigins: c.config.allowedOrigins },
      onInternalsProblem: (problems) =>
        app.log.warn(
          { problems },
          'engine.io/ws internals changed: live frames fall back to per-socket encoding',
        ),
    },
    tracker,
  );
  // Before the first socket: a session that ends from now on is cut wherever its socket is.
  const unsubscribe = await c.revocations.subscribe((r) => gateway.revoke(r));
  const fanOut = new FanOut(
    c.store,
    gateway.broadcaster,
    {
      frameMs: c.config.frameMs,
      // Per-socket writes were the feed's largest cost at 500 consoles: frames every 100 ms there,
      // sooner for a centre's usual few dozen consoles.
      writesPerSecond: 5_000,
      maxBuffer: c.config.maxClientBuffer,
      ringSize: 50_000,
    },
    head,
  );
  gateway.attach(fanOut);
  const tailer = new StreamTailer(
    connect(c.redisUrl, 'tail'),
    c.keys.events,
    (evs) => {
      // In log order, once, before any console can be sent these events.
      tracker.observe(evs);
      fanOut.append(evs);
    },
    (err) => app.log.warn({ err }, 'event stream tail failed; retrying'),
  );
  tailer.start(head);
  return {
    fanOut,
    gateway,
    async close() {
      unsubscribe();
      fanOut.close();
      await gateway.close();
      await tailer.stop();
    },
  };
}
