import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FailedJobs, Status } from '../../../shared/http.ts';
import type { Live } from '../../live/live.ts';
import type { StatusService } from '../status.service.ts';
import { requireUser } from '../../identity/auth.plugin.ts';
import { TAGS } from './openapi.ts';
import { errors, SESSION_ERRORS } from './answers.ts';

const FailedQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });

/** How this process is doing: feed, pipeline and event-loop figures for operators and benchmarks. */
export default async function statusRoutes(
  fastify: FastifyInstance,
  { status, live }: { status: StatusService; live: () => Live | null },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = [TAGS.status];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  app.addHook('onClose', async () => loop.disable());
  const statusSchema = {
    tags,
    summary: 'This server process: feed, pipeline, hot set, history projection, event loop',
    response: { 200: Status, ...errors(...SESSION_ERRORS) },
  };
  app.get('/api/v1/status', { preHandler: requireUser(), schema: statusSchema }, async () => {
    const l = live();
    const out = {
      ...(await status.status()),
      feed: l
        ? {
            clients: l.fanOut.clientCount,
            servedSeq: l.fanOut.headSeq,
            ...l.fanOut.stats,
            // Sent once per frame and written to every up-to-date console, deflated where it asked.
            wire: l.gateway.wire,
          }
        : null,
      eventLoopDelayMs: {
        p50: loop.percentile(50) / 1e6,
        p99: loop.percentile(99) / 1e6,
        max: loop.max / 1e6,
      },
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    };
    loop.reset();
    return out;
  });

  // Who can read the audit trail can read what the pipeline gave up on.
  app.get(
    '/api/v1/failed-jobs',
    {
      preValidation: requireUser('audit.read'),
      schema: {
        tags,
        summary: 'Jobs the pipeline gave up on (refused payloads, unknown cameras …), newest first',
        querystring: FailedQuery,
        response: { 200: FailedJobs, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req, reply) => {
      // The payload is what a sender posted: JSON data for the console to show as text, never markup.
      reply.header('cache-control', 'no-store');
      return { jobs: await status.failedJobs(req.query.limit) };
    },
  );
}
