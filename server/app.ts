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
import warningRoutes from './warnings/warning.routes.ts';
import footageRoutes from './footage/footage.routes.ts';
import basemapRoutes from './basemap/basemap.routes.ts';
import cameraRoutes from './cameras/camera.routes.ts';
import videoRoutes from './integrations/video/video.routes.ts';
import caseRoutes from './cases/case.routes.ts';
import type { Container } from './container.ts';
import kpiRoutes from './cases/kpi.routes.ts';
import { redisErrors } from './infra/redis-errors.ts';
import { echoRequestId } from './infra/request-id.ts';
import authPlugin from './identity/auth.plugin.ts';
import closingPlugin from './infra/http/closing.ts';
import errorsPlugin, { frameworkErrors } from './infra/http/errors.ts';
import metricsPlugin from './infra/http/metrics.ts';
import openapi from './infra/http/openapi.ts';
import queueBoard, { QUEUE_BOARD_PATH } from './infra/http/queue-board.ts';
import securityHeaders from './infra/http/security-headers.ts';
import zodValidation from './infra/http/zod-validation.ts';
import auditRoutes from './history/audit.routes.ts';
import authRoutes from './identity/auth.routes.ts';
import peopleRoutes from './identity/people.routes.ts';
import casesRoutes from './cases/cases.routes.ts';
import commandRoutes from './commands/command.routes.ts';
import acknowledgeRoutes from './commands/acknowledge.routes.ts';
import healthRoutes from './infra/http/health.routes.ts';
import intakeRoutes from './intake/intake.routes.ts';
import open311Routes, { OPEN311_PREFIX } from './integrations/open311/open311.routes.ts';
import operationRoutes from './commands/operation.routes.ts';
import replayRoutes from './history/replay.routes.ts';
import stateRoutes from './live/state.routes.ts';
import statusRoutes from './infra/http/status.routes.ts';
import type { Live } from './live/live.ts';

export const CLIENT_DIST = path.resolve(import.meta.dirname, '../dist/client');
const SPA_ROUTES = [
  '/',
  '/login',
  '/wall',
  '/console',
  '/field',
  '/audit',
  '/replay',
  '/cases',
  '/inbox',
  '/rules',
  '/reports',
  '/footage',
];
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
  // Every answer names its request (`X-Request-Id`), errors before any handler included.
  echoRequestId(app);
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
  await app.register(metricsPlugin, {
    queue: c.queue,
    projector: c.projector,
    commits: c.store.hooks,
    live: opts.live ?? (() => null),
    token: c.config.metricsToken,
  });
  await app.register(authPlugin, { auth: c.auth, secureCookies: c.config.production });
  await app.register(queueBoard, { prefix: QUEUE_BOARD_PATH, auth: c.auth, queue: c.queue });

  // Each route plugin gets the services it calls, never the container.
  await app.register(healthRoutes, { health: c.health });
  await app.register(authRoutes, { auth: c.auth });
  await app.register(peopleRoutes, { auth: c.auth });
  await app.register(intakeRoutes, { intake: c.intake });
  await app.register(stateRoutes, { snapshot: c.snapshot });
  await app.register(commandRoutes, {
    operations: c.operations,
    dispatches: c.dispatches,
    reports: c.reports,
    caseActions: c.caseActions,
    review: c.review,
  });
  await app.register(acknowledgeRoutes, { acknowledgements: c.acknowledgements });
  await app.register(operationRoutes, { operations: c.operations, records: c.records });
  await app.register(auditRoutes, { records: c.records });
  await app.register(casesRoutes, { search: c.caseSearch });
  await app.register(caseRoutes, { caseActions: c.caseActions, caseRules: c.caseRules, records: c.records });
  await app.register(kpiRoutes, { kpis: c.kpis });
  await app.register(replayRoutes, { replay: c.replay });
  await app.register(kpiReportRoutes, { kpiReports: c.kpiReports, grids: c.grids });
  await app.register(open311Routes, { prefix: OPEN311_PREFIX, open311: c.open311 });
  await app.register(warningRoutes, { warnings: c.warnings, snapshot: c.snapshot });
  await app.register(footageRoutes, { footage: c.footage });
  await app.register(basemapRoutes, { basemap: c.basemap, auth: c.auth });
  await app.register(cameraRoutes, { cameras: c.cameraState });
  await app.register(videoRoutes, { video: c.video, snapshots: c.videoSnapshots });
  await app.register(statusRoutes, { status: c.status, live: opts.live ?? (() => null) });

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
