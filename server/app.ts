import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Container } from './container.ts';
import authPlugin from './plugins/auth.ts';
import closingPlugin from './plugins/closing.ts';
import errorsPlugin from './plugins/errors.ts';
import zodValidation from './plugins/zod-validation.ts';
import auditRoutes from './routes/audit.routes.ts';
import authRoutes from './routes/auth.routes.ts';
import commandRoutes from './routes/command.routes.ts';
import healthRoutes from './routes/health.routes.ts';
import intakeRoutes from './routes/intake.routes.ts';
import operationRoutes from './routes/operation.routes.ts';
import stateRoutes from './routes/state.routes.ts';
import statusRoutes from './routes/status.routes.ts';
import type { Live } from './live.ts';

export const CLIENT_DIST = path.resolve(import.meta.dirname, '../dist/client');
const SPA_ROUTES = ['/', '/login', '/wall', '/console', '/field', '/audit'];

export type BuildOptions = {
  logger?: FastifyServerOptions['logger'];
  clientDist?: string;
  /** The live feed is attached to the HTTP server after the app is built. */
  live?: () => Live | null;
};

/** Builds the HTTP app: infrastructure plugins, then app plugins, then routes. */
export async function build(c: Container, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 256 * 1024,
    trustProxy: false,
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // A wall and a simulator make thousands of requests a minute; errors are logged, not each request.
    disableRequestLogging: true,
  });

  await app.register(closingPlugin);
  await app.register(errorsPlugin);
  await app.register(zodValidation);
  await app.register(authPlugin, { auth: c.auth, secureCookies: c.config.production });

  await app.register(healthRoutes, { c });
  await app.register(authRoutes, { c });
  await app.register(intakeRoutes, { c });
  await app.register(stateRoutes, { c });
  await app.register(commandRoutes, { c });
  await app.register(operationRoutes, { c });
  await app.register(auditRoutes, { c });
  await app.register(statusRoutes, { c, live: opts.live ?? (() => null) });

  const dist = opts.clientDist ?? CLIENT_DIST;
  if (existsSync(path.join(dist, 'index.html'))) {
    await app.register(fastifyStatic, { root: dist, index: false });
    // The SPA's own routes all load index.html; the client routes from there.
    for (const r of SPA_ROUTES) app.get(r, { schema: {} }, (_req, reply) => reply.sendFile('index.html'));
  }
  return app;
}
