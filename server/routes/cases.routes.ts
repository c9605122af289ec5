import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CaseSearchPage, CaseSearchQuery } from '../../shared/case-search.ts';
import type { Container } from '../container.ts';
import { scopeOf } from '../identity/scope.ts';
import { scopeCaseQuery } from '../identity/scoped-reads.ts';
import { requireAnyUser, userOf } from '../plugins/auth.ts';
import { TAGS } from '../plugins/openapi.ts';
import { CaseSearchService } from '../services/case-search.service.ts';
import { errors, SESSION_ERRORS } from './answers.ts';

/**
 * `GET /api/v1/cases` [any logged-in operator]: every case ever, closed ones included, newest
 * first, keyset-paged (`nextCursor`), `q` a substring of title, address or description (Chinese
 * included; pg_trgm). Filters that belong to the peacetime issue are accepted as the contract
 * has them and mean, today: `departmentId` matches a case's `departmentId` field when it has one
 * (no case has one yet, so it matches nothing); `overdue=true` matches nothing (no deadlines
 * exist yet) and `overdue=false` matches every case. A case is found once projected into the
 * history database (normally milliseconds after it is created; nothing waits for the lag).
 */
export default async function casesRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const search = new CaseSearchService(c.historyRepo);
  app.get(
    '/api/v1/cases',
    {
      // Auth before validation: without a session the answer is 401 whatever the parameters.
      // Scoped roles search their own cases only (their scope ANDed with the filters).
      preValidation: requireAnyUser(),
      schema: {
        tags: [TAGS.record],
        summary: 'Search every case ever, closed ones included, newest first (keyset-paged)',
        description:
          '`q` is a substring of title, address or description (Chinese included, pg_trgm); pass ' +
          '`nextCursor` as `cursor` for the next page. `departmentId` and `overdue=true` match ' +
          'nothing until departments and deadlines exist.',
        querystring: CaseSearchQuery,
        response: { 200: CaseSearchPage, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => {
      const q = scopeCaseQuery(req.query, scopeOf(userOf(req)));
      return q ? search.search(q) : { items: [], nextCursor: null };
    },
  );
}
