import type { FastifyInstance } from 'fastify';
import { LoginInput } from '../../shared/identity.ts';
import type { Container } from '../container.ts';
import { userOf } from '../plugins/auth.ts';
import { SESSION_TTL_S } from '../repositories/identity.repository.ts';

export default async function authRoutes(app: FastifyInstance, { c }: { c: Container }) {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    { schema: { body: LoginInput } },
    async (req, reply) => {
      // req.ip is the client's own address when TRUST_PROXY names the proxy in front.
      const s = await c.auth.login(req.body.username, req.body.password, req.ip);
      app.sessionCookie.set(reply, s.token, SESSION_TTL_S);
      return { user: s.user };
    },
  );
  app.post('/api/v1/auth/logout', { schema: {} }, async (req, reply) => {
    if (req.sessionKey) await c.auth.logout(req.sessionKey);
    app.sessionCookie.clear(reply);
    return { ok: true };
  });
  app.get('/api/v1/auth/me', { schema: {} }, async (req) => ({ user: userOf(req) }));
}
