import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ProjectorStatus } from '../../history/projector.ts';
import type { EventStoreHooks } from '../../log/event-store.ts';
import type { PipelineQueue } from '../../pipeline/queue.ts';
import { Metrics } from '../metrics.ts';
import { bearerMatches } from '../metrics-server.ts';
import type { Live } from '../../live/live.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This server process's metrics (its own registry). */
    metrics: Metrics;
  }
}

export type MetricsPluginOptions = {
  /** Queue depth and age per job type. */
  queue: Pick<PipelineQueue, 'counts' | 'oldestWaitingAt'>;
  /** The projection lag; null where no projector runs in this process. */
  projector: { status(): Promise<ProjectorStatus> } | null;
  /** The event store's hooks: every commit's latency is observed there. */
  commits: EventStoreHooks;
  /** The live feed, attached after the app is built (null until then, and in apps without one). */
  live: () => Live | null;
  /** `config.metricsToken`: when set, a scrape must send `Authorization: Bearer <token>`. */
  token: string | null;
};

/**
 * `GET /metrics` (Prometheus text) and the hooks that feed it: every HTTP answer (onResponse),
 * every commit (the event store's hook), every broadcast frame (the gateway's hook). Outside
 * `/api/`, so the session/key auth never runs for it; METRICS_TOKEN guards it instead.
 */
export default fp(
  async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions) {
    const { queue, projector, commits } = opts;
    const metrics = new Metrics({
      queueCounts: () => queue.counts(),
      oldestWaitingAt: () => queue.oldestWaitingAt(),
      projector: async () => (projector ? projector.status() : null),
      feed: () => opts.live()?.fanOut.stats ?? null,
      consolesByRole: () => opts.live()?.gateway.consolesByRole() ?? null,
    });
    app.decorate('metrics', metrics);
    commits.onCommit = (ms, events) => metrics.commit(ms, events);

    // The live feed is attached between build() and listen(); ready comes with listen().
    app.addHook('onReady', async () => {
      const gateway = opts.live()?.gateway;
      if (gateway)
        gateway.onFrame = (events, bytes) =>
          metrics.frame(
            bytes,
            events.map((e) => e.at),
          );
    });
    app.addHook('onClose', async () => {
      if (commits.onCommit) commits.onCommit = undefined;
      metrics.registry.clear();
    });

    app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
      metrics.response(req.method, req.routeOptions.url, reply.statusCode);
    });

    app.get('/metrics', { schema: {} }, async (req, reply) => {
      if (opts.token && !bearerMatches(req.headers.authorization, opts.token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .send({ error: 'unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' });
      }
      const { contentType, body } = await metrics.scrape();
      return reply.header('cache-control', 'no-store').type(contentType).send(body);
    });
  },
  { name: 'metrics' },
);
