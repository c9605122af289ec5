import type { FastifyInstance } from 'fastify';
import { ReplayQuery } from '../../shared/replay.ts';
import type { Container } from '../container.ts';
import type { HistoryDb } from '../history/db.ts';
import { ReplayRepository } from '../history/replay.repository.ts';
import { requireUser } from '../plugins/auth.ts';
import { DomainError } from '../services/errors.ts';
import { ReplayService } from '../services/replay.service.ts';

/** The container as wired with the history store (absent in a container built without one). */
type WithHistory = Container & { history?: { db: HistoryDb } | null };

/** `GET /api/v1/replay`: the state at `from` and the events up to `to`, from the history database. */
export default async function replayRoutes(app: FastifyInstance, { c }: { c: Container }) {
  const history = (c as WithHistory).history;
  const replay = history ? new ReplayService(new ReplayRepository(history.db), c.state, c.plans) : null;
  app.get<{ Querystring: ReplayQuery }>(
    '/api/v1/replay',
    // Logged in first (401 before 400), as every read of the record.
    { preValidation: requireUser(), schema: { querystring: ReplayQuery } },
    async (req) => {
      if (!replay)
        throw new DomainError(503, 'history_unavailable', 'this server runs without a history store');
      return replay.replay(req.query);
    },
  );
}
