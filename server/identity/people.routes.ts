import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { PeopleAnswer } from '../../shared/people.ts';
import type { AuthService } from './auth.service.ts';
import { requireUser } from './auth.plugin.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { errors, SESSION_ERRORS } from '../infra/http/answers.ts';

/** `GET /api/v1/people`: the names behind the actors the console, the wall and the audit show. */
export default async function peopleRoutes(fastify: FastifyInstance, { auth }: { auth: AuthService }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/people',
    {
      // The centre's operators (requireUser): the accounts of the whole centre are theirs to know;
      // a scoped role gets 403 and sees actors by account.
      preValidation: requireUser(),
      schema: {
        tags: [TAGS.identity],
        summary: 'Accounts and integrations by name: `[{username, displayName, kind, role?}]`',
        description:
          'Each account with its display name and role (`kind: "user"`), each integration of ' +
          'INTAKE_KEYS by its name (`kind: "system"`; never its key). For showing an event’s ' +
          '`actor` as a person’s name.',
        response: { 200: PeopleAnswer, ...errors(...SESSION_ERRORS) },
      },
    },
    async () => auth.people(),
  );
}
