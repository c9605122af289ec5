import type { FastifyInstance } from 'fastify';
import { CaseSearchQuery } from '../../shared/case-search.ts';
import type { Container } from '../container.ts';
import { requireUser } from '../plugins/auth.ts';
import { CaseSearchService } from '../services/case-search.service.ts';

/**
 * `GET /api/v1/cases` [any logged-in operator]: every case ever, closed ones included, newest
 * first, keyset-paged (`nextCursor`), `q` a substring of title, address or description (Chinese
 * included; pg_trgm). Filters that belong to the peacetime issue are accepted as the contract
 * has them and mean, today: `departmentId` matches a case's `departmentId` field when it has one
 * (no case has one yet, so it matches nothing); `overdue=true` matches nothing (no deadlines
 * exist yet) and `overdue=false` matches every case. A case is found once projected into the
 * history database (normally milliseconds after it is created; nothing waits for the lag).
 */
export default async function casesRoutes(app: FastifyInstance, { c }: { c: Container }) {
  const search = new CaseSearchService(c.historyRepo);
  app.get<{ Querystring: CaseSearchQuery }>(
    '/api/v1/cases',
    // Auth before validation: without a session the answer is 401 whatever the parameters.
    { preValidation: requireUser(), schema: { querystring: CaseSearchQuery } },
    async (req) => search.search(req.query),
  );
}
