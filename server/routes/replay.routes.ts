import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ReplayAnswer, ReplayQuery } from '../../shared/replay.ts';
import type { Container } from '../container.ts';
import { ReplayRepository } from '../history/replay.repository.ts';
import { requireUser } from '../plugins/auth.ts';
import { TAGS } from '../plugins/openapi.ts';
import { ReplayService } from '../services/replay.service.ts';
import { errors, SESSION_ERRORS } from './answers.ts';

/** `GET /api/v1/replay`: the state at `from` and the events up to `to`, from the history database. */
export default async function replayRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const replay = new ReplayService(new ReplayRepository(c.history.db), c.state, c.plans);
  app.get(
    '/api/v1/replay',
    {
      // Logged in first (401 before 400), as every read of the record. The centre's operators only
      // (requireUser): a replay shows the whole district, so scoped roles get 403.
      preValidation: requireUser(),
      schema: {
        tags: [TAGS.record],
        summary: 'The state as it was at `from` and the events up to `to`, in order',
        description:
          'A window of at most 7 days. Beyond the contract: `assumed` (seed resources and mode with ' +
          'no event yet) and, past 20,000 events, `truncated` with `nextFrom` to continue.',
        querystring: ReplayQuery,
        // The record may rebuild a state from v1 events: their incidents carry `history`.
        response: { 200: ReplayAnswer, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => replay.replay(req.query),
  );
}
