import { fastifyCookie as cookie } from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { OPERATOR_ROLES, Role } from '../../shared/common.ts';
import { can, PERMISSIONS, type Permission, type User } from '../../shared/identity.ts';
import type { AuthService, Caller } from '../services/auth.service.ts';
import { DomainError } from '../services/errors.ts';

export const SESSION_COOKIE = 'pz_session';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
    /** The session's key (its token's hash), to end it on logout. */
    sessionKey: string | null;
  }
}

export function parseSessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return cookie.parse(header)[SESSION_COOKIE];
}

/**
 * Sets `req.caller` (and `sessionKey`) from a bearer key or the session cookie. The API's hook
 * below runs it for `/api/`; a route elsewhere that needs a caller (the queue board) runs it itself.
 */
export async function identify(auth: AuthService, req: FastifyRequest): Promise<void> {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    req.caller = auth.keyCaller(header.slice(7).trim());
    if (!req.caller) throw new DomainError(401, 'unauthorized', 'unknown key');
    return;
  }
  const token = req.cookies[SESSION_COOKIE];
  if (!token) return;
  // The user is read afresh on every request: a removed account is refused at once.
  const s = await auth.liveSession(token);
  if (s) {
    req.caller = { kind: 'user', user: s.user };
    req.sessionKey = s.sessionKey;
  }
}

/** Resolves who is calling: a session cookie (operators) or a bearer key (integrations). */
export default fp(
  async function auth(app: FastifyInstance, opts: { auth: AuthService; secureCookies: boolean }) {
    await app.register(cookie);
    app.decorateRequest('caller', null);
    app.decorateRequest('sessionKey', null);
    app.addHook('onRequest', async (req) => {
      // Only the API needs a caller; the console's page and assets must load even while Redis is
      // down (the page then shows what is wrong), so they never wait on a session lookup.
      if (!req.url.startsWith('/api/')) return;
      await identify(opts.auth, req);
    });
    app.decorate('sessionCookie', {
      set(reply: FastifyReply, token: string, maxAgeS: number) {
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: opts.secureCookies,
          path: '/',
          maxAge: maxAgeS,
        });
      },
      clear(reply: FastifyReply) {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      },
    });
  },
  { name: 'auth' },
);

declare module 'fastify' {
  interface FastifyInstance {
    sessionCookie: {
      set(reply: FastifyReply, token: string, maxAgeS: number): void;
      clear(reply: FastifyReply): void;
    };
  }
}

/**
 * Who a route's guard admits: an operator of these roles, or (intake) a key too. Carried by the
 * guard itself, so the OpenAPI document (plugins/openapi.ts) says what the server enforces.
 */
export type Access = { kind: 'operator' | 'intake'; roles: readonly Role[] };
const ACCESS = Symbol('access');
type Guard = ((req: FastifyRequest) => Promise<void>) & { [ACCESS]: Access };

/** The access a route hook stands for, if it is one of the guards below. */
export function accessOf(hook: unknown): Access | null {
  return typeof hook === 'function' && ACCESS in hook ? (hook as Guard)[ACCESS] : null;
}

/**
 * A logged-in user: without a permission, one of the centre's operators (OPERATOR_ROLES) only —
 * scoped roles (`subcentre`, `department`) get `403` from a route that was not written for their
 * scope; with one, the roles the permission names. Integrations' keys are refused here.
 */
export function requireUser(permission?: Permission): Guard {
  return guard(permission ? PERMISSIONS[permission] : OPERATOR_ROLES, permission);
}

/**
 * Every logged-in role, scoped ones included: for reads that narrow what they answer to the
 * caller's scope themselves (`server/identity/scope.ts`: out of scope is `404`, never `403`).
 */
export function requireAnyUser(): Guard {
  return guard(Role.options);
}

function guard(roles: readonly Role[], permission?: Permission): Guard {
  const check = async (req: FastifyRequest) => {
    const c = req.caller;
    if (!c) throw new DomainError(401, 'unauthorized', 'log in first');
    if (c.kind !== 'user')
      throw new DomainError(403, 'forbidden', 'an intake key may only post to the intake routes');
    if (permission ? !can(c.user.role, permission) : !roles.includes(c.user.role)) {
      throw new DomainError(
        403,
        'forbidden',
        permission
          ? `role "${c.user.role}" may not ${permission.replace('.', ' ')}`
          : `role "${c.user.role}" may not use this route`,
      );
    }
  };
  return Object.assign(check, { [ACCESS]: { kind: 'operator', roles } satisfies Access });
}

/** Intake: an integration key or any logged-in operator. */
export const requireIntakeCaller: Guard = Object.assign(
  async function requireIntakeCaller(req: FastifyRequest): Promise<void> {
    const c = req.caller;
    if (!c) throw new DomainError(401, 'unauthorized', 'send Authorization: Bearer <intake key> or log in');
    // Scoped roles report nothing district-wide: a case they posted could fall outside their scope.
    if (c.kind === 'user' && !can(c.user.role, 'intake.post'))
      throw new DomainError(403, 'forbidden', `role "${c.user.role}" may not post to intake`);
  },
  { [ACCESS]: { kind: 'intake', roles: PERMISSIONS['intake.post'] } satisfies Access },
);

export function userOf(req: FastifyRequest): User {
  const c = req.caller;
  if (c?.kind !== 'user') throw new DomainError(401, 'unauthorized', 'log in first');
  return c.user;
}

export type { Role };
