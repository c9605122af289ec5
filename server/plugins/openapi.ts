import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as wire from '../../shared/index.ts';
import { CaseSearchPage } from '../../shared/case-search.ts';
import { ReplayAnswer } from '../../shared/replay.ts';
import { DESCRIBED } from '../routes/answers.ts';
import { accessOf, type Access } from './auth.ts';
import { QUEUE_BOARD_PATH } from './queue-board.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** The roles that may call the operation (set from the route's guard, see below). */
    'x-roles'?: readonly string[];
  }
}

/** The UI; the document itself is at `${DOCS_PATH}/json`. */
export const DOCS_PATH = '/docs';

/** The areas operations are tagged by (each route file tags its own). */
export const TAGS = {
  identity: 'identity',
  intake: 'intake',
  state: 'state',
  commands: 'commands',
  operations: 'operations',
  record: 'record',
  status: 'status',
} as const;
const TAG_DOCS: { name: string; description: string }[] = [
  { name: TAGS.identity, description: 'Logging in and out: an HttpOnly session cookie.' },
  { name: TAGS.intake, description: 'Hotline, grid and video platforms (an intake key) and operators.' },
  { name: TAGS.state, description: 'The working set a wall shows, and the reference data.' },
  { name: TAGS.commands, description: 'Operators change the state; each change is one event on the feed.' },
  { name: TAGS.operations, description: 'Contingency plans, operations and their after-action records.' },
  { name: TAGS.record, description: 'The record in PostgreSQL: audit trail, case search, replay.' },
  { name: TAGS.status, description: 'Health and figures of this server process.' },
];

/**
 * Routes the document leaves out on purpose: `/metrics` is Prometheus text for a scraper, not
 * JSON for a client (CONTRACT.md "Operations" names it); the queue board is bull-board's own UI
 * and API, the admin's tool and no part of ours. The docs, the console's pages and its assets
 * hide themselves (`schema.hide`).
 */
export function undocumented(url: string): boolean {
  return url === '/metrics' || url === QUEUE_BOARD_PATH || url.startsWith(`${QUEUE_BOARD_PATH}/`);
}

/** The entities, by name: the document refers to them (`$ref`) instead of repeating them. */
function components() {
  const registry = z.registry<{ id?: string; [key: string]: unknown }>();
  const named: Record<string, z.ZodType> = {
    Incident: wire.Incident,
    IncidentRecord: wire.IncidentRecord,
    IncidentHistoryEntry: wire.IncidentHistoryEntry,
    VideoAlert: wire.VideoAlert,
    Camera: wire.Camera,
    Resource: wire.Resource,
    Plan: wire.Plan,
    RankedPlan: wire.RankedPlan,
    Operation: wire.Operation,
    OperationTask: wire.OperationTask,
    Dispatch: wire.Dispatch,
    FieldReport: wire.FieldReport,
    Mode: wire.Mode,
    LiveEvent: wire.LiveEvent,
    Snapshot: wire.Snapshot,
    User: wire.User,
    AfterActionRecord: wire.AfterActionRecord,
    AuditPage: wire.AuditPage,
    CaseSearchPage,
    Replay: ReplayAnswer,
    GridCollection: wire.GridCollection,
    AppConfig: wire.AppConfig,
    Status: wire.Status,
    Error: wire.ERROR_BODY,
  };
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  return registry;
}

const ALL_ROLES = wire.Role.options;

/** What an operation's description and `x-roles` say about who may call it. */
type Security = { [scheme: string]: string[] }[];
function describeAccess(access: Access | null): { text: string; roles: string[]; security: Security } {
  if (!access) return { text: 'Public: no session needed.', roles: [], security: [] };
  const roles = [...access.roles];
  const who =
    roles.length === ALL_ROLES.length
      ? 'any logged-in user (a scoped role, `subcentre` or `department`, gets its own scope only)'
      : `roles ${roles.join(', ')}`;
  if (access.kind === 'intake')
    return {
      text: `An intake key (\`Authorization: Bearer <key>\`) or ${who}.`,
      roles,
      security: [{ intakeKey: [] }, { session: [] }],
    };
  return { text: `Who may: ${who} (session cookie).`, roles, security: [{ session: [] }] };
}

type Hooks = RouteOptions['preValidation'] | RouteOptions['preHandler'] | RouteOptions['onRequest'];
const hooksOf = (h: Hooks): unknown[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

/**
 * OpenAPI 3 at `/docs/json` and a UI at `/docs` (served from this server: no CDN), generated from
 * the routes' own zod schemas. Who may call each operation is read from its guard (`requireUser`,
 * `requireIntakeCaller` carry what they admit), so the document cannot say other than the server does.
 */
export default fp(async function openapi(app: FastifyInstance, opts: { version: string }) {
  app.addHook('onRoute', (route) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide || undocumented(route.url)) return;
    // A route that checks its caller in the handler says so itself (`GET /api/v1/auth/me`).
    if (route.schema && 'x-roles' in route.schema) return;
    const guards = [route.onRequest, route.preValidation, route.preHandler].flatMap(hooksOf);
    const access = guards.map(accessOf).find((a) => a !== null) ?? null;
    const a = describeAccess(access);
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    route.schema = {
      ...schema,
      description: [schema.description, a.text].filter(Boolean).join('\n\n'),
      'x-roles': a.roles,
      security: a.security,
    };
  });

  const registry = components();
  // Described answers (routes/answers.ts), once every route has made its own.
  app.addHook('onReady', async () => {
    for (const d of DESCRIBED)
      if (!registry.has(d.schema)) registry.add(d.schema, { description: d.description });
  });
  const transform = createJsonSchemaTransform({ schemaRegistry: registry });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Pingzhan API',
        version: opts.version,
        description:
          'The public contract (CONTRACT.md) as the server declares it: every request and answer ' +
          'below is the zod schema the server validates and serializes with. The live feed is ' +
          'Socket.IO on `/live` (see CONTRACT.md). `x-roles` lists the roles that may call an operation.',
      },
      tags: TAG_DOCS,
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'pz_session' },
          intakeKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: (doc) => (undocumented(doc.url) ? { schema: { hide: true }, url: doc.url } : transform(doc)),
    transformObject: createJsonSchemaTransformObject({ schemaRegistry: registry }),
  });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    // No call to validator.swagger.io: the docs work offline, as the console does.
    uiConfig: { validatorUrl: null, docExpansion: 'list', deepLinking: true },
  });
});
