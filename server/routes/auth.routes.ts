import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Role } from '../../shared/common.ts';
import { LoggedOut, UserAnswer } from '../../shared/http.ts';
import { LoginInput } from '../../shared/identity.ts';
import type { Container } from '../container.ts';
import { userOf } from '../plugins/auth.ts';
import { TAGS } from '../plugins/openapi.ts';
import { SESSION_TTL_S } from '../repositories/identity.repository.ts';
import { errors } from './answers.ts';

const tags = [TAGS.identity];

export default async function authRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Log in: sets the HttpOnly, SameSite=Strict session cookie',
        body: LoginInput,
        response: { 200: UserAnswer, ...errors(400, 401, 429, 503) },
      },
    },
    async (req, reply) => {
      // req.ip is the client's own address when TRUST_PROXY names the proxy in front.
      const s = await c.auth.login(req.body.username, req.body.password, req.ip);
      app.sessionCookie.set(reply, s.token, SESSION_TTL_S);
      return { user: s.user };
    },
  );
  app.post(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'Log out: ends the session', response: { 200: LoggedOut, ...errors(503) } } },
    async (req, reply) => {
      if (req.sessionKey) await c.auth.logout(req.sessionKey);
      app.sessionCookie.clear(reply);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags,
        summary: 'Who is logged in',
        description:
          'Who may: any logged-in user (session cookie); `401` without a session. A scoped user ' +
          '(`subcentre`, `department`) carries its `streetId` or `departmentId`.',
        'x-roles': Role.options,
        security: [{ session: [] }],
        response: { 200: UserAnswer, ...errors(401, 503) },
      },
    },
    async (req) => ({ user: userOf(req) }),
  );
}
