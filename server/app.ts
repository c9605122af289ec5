import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import kpiReportRoutes from './cases/kpi-report.routes.ts';
import caseRoutes from './cases/case.routes.ts';
import type { Container } from './container.ts';
import kpiRoutes from './cases/kpi.routes.ts';
import { redisErrors } from './infra/redis-errors.ts';
import authPlugin from './plugins/auth.ts';
import closingPlugin from './plugins/closing.ts';
import errorsPlugin, { frameworkErrors } from './plugins/errors.ts';
import metricsPlugin from './plugins/metrics.ts';
import openapi from './plugins/openapi.ts';
import queueBoard, { QUEUE_BOARD_PATH } from './plugins/queue-board.ts';
import securityHeaders from './plugins/security-headers.ts';
import zodValidation from './plugins/zod-validation.ts';
import auditRoutes from './routes/audit.routes.ts';
import authRoutes from './routes/auth.routes.ts';
import casesRoutes from './routes/cases.routes.ts';
import commandRoutes from './routes/command.routes.ts';
import healthRoutes from './routes/health.routes.ts';
import intakeRoutes from './routes/intake.routes.ts';
import operationRoutes from './routes/operation.routes.ts';
import replayRoutes from './routes/replay.routes.ts';
import stateRoutes from './routes/state.routes.ts';
import statusRoutes from './routes/status.routes.ts';
import type { Live } from './live.ts';

export const CLIENT_DIST = path.resolve(import.meta.dirname, '../dist/client');
const SPA_ROUTES = ['/', '/login', '/wall', '/console', '/field', '/audit', '/replay'];
/** The API's version in the OpenAPI document: the contract's. */
const API_VERSION = '1.0.0';

export type BuildOptions = {
  logger?: FastifyServerOptions['logger'];
  clientDist?: string;
  /** The live feed is attached to the HTTP server after the app is built. */
  live?: () => Live | null;
  /** Told of every route as it is added (the OpenAPI test checks each one's schemas). */
  onRoute?: (route: RouteOptions) => void;
};

/**
 * TRUST_PROXY as Fastify understands it. Fastify 5.12 treats a bare hop count as "trust no one"
 * (it cannot check who the nearest hop is); an operator who wrote `TRUST_PROXY=1` meant the
 * nearest n hops, so a count becomes that function.
 */
export function trustProxyOption(v: boolean | number | string[]): boolean | string[] | TrustProxyFn {
  if (typeof v !== 'number') return v;
  return (_address, hop) => hop < v;
}
type TrustProxyFn = (address: string, hop: number) => boolean;

/** Builds the HTTP app: infrastructure plugins, then app plugins, then routes. */
export async function build(c: Container, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 256 * 1024,
    // Behind a proxy, the client's address and protocol are the proxy's to tell, but only trusted ones.
    trustProxy: trustProxyOption(c.config.trustProxy),
    // Closing: idle keep-alive sockets go at once; requests still arriving get closing.ts's 503.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // A wall and a simulator make thousands of requests a minute; errors are logged, not each request.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors,
  });

  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  // Redis connections exist before the app does; from now on their errors go to the server's log.
  if (opts.logger) redisErrors.setLogger(app.log);

  // First, so that while closing its hooks answer before anything else runs.
  await app.register(closingPlugin);
  await app.register(errorsPlugin);
  await app.register(securityHeaders, {
    snapshotHosts: c.config.snapshotHosts,
    mapStyleUrl: c.config.mapStyleUrl,
    production: c.config.production,
  });
  await app.register(zodValidation);
  // Before the routes: it reads each route's schemas and guard as the route is added.
  await app.register(openapi, { version: API_VERSION });
  // Before the routes, so that its onResponse hook counts every answer.
  await app.register(metricsPlugin, { c, live: opts.live ?? (() => null), token: c.config.metricsToken });
  await app.register(authPlugin, { auth: c.auth, secureCookies: c.config.production });
  await app.register(queueBoard, { prefix: QUEUE_BOARD_PATH, auth: c.auth, queue: c.queue });

  await app.register(healthRoutes, { c });
  await app.register(authRoutes, { c });
  await app.register(intakeRoutes, { c });
  await app.register(stateRoutes, { c });
  await app.register(commandRoutes, { c });
  await app.register(operationRoutes, { c });
  await app.register(auditRoutes, { c });
  await app.register(casesRoutes, { c });
  await app.register(caseRoutes, { c });
  await app.register(kpiRoutes, { c });
  await app.register(replayRoutes, { c });
  await app.register(kpiReportRoutes, { c });
  await app.register(statusRoutes, { c, live: opts.live ?? (() => null) });

  const dist = opts.clientDist ?? CLIENT_DIST;
  if (existsSync(path.join(dist, 'index.html'))) {
    await app.register(fastifyStatic, { root: dist, index: false });
    // The SPA's own routes all load index.html; the client routes from there.
    // Pages, not API: left out of the OpenAPI document.
    for (const r of SPA_ROUTES)
      app.get(r, { schema: { hide: true } }, (_req, reply) => reply.sendFile('index.html'));
  }
  return app;
}
