import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id } from '../../../shared/common.ts';
import { TAGS } from '../../infra/http/openapi.ts';
import { errorAnswer } from '../../infra/http/errors.ts';
import { INTAKE_BODY_LIMIT } from '../../intake/intake.routes.ts';
import {
  CONTENT_TYPE,
  errorsBody,
  objectToXml,
  toXml,
  type Open311Error,
  type Open311Format,
} from './format.ts';
import type { Open311Service } from './open311.service.ts';
import * as S from './open311.schemas.ts';
import { Open311RequestForm, Open311RequestQuery } from './request-input.ts';

export const OPEN311_PREFIX = '/open311/v2';
const FORMATS: readonly Open311Format[] = ['json', 'xml'];
const tags = [TAGS.intake];

/** Who may call: stated here, since the key travels in the form or the query, not a header. */
const PUBLIC = { 'x-roles': [] as string[], security: [] };
const KEYED = `An intake key as \`api_key\` (in the form for POST, in the query for GET); a bad or missing key is 403.`;
const READS_NEED_A_KEY =
  'Reads of requests need a key too: a request holds a citizen’s own words and place, which this ' +
  'district does not publish (the spec leaves GET open; we choose not to).';

/** A route's own format (`….xml`), else the asked path's (the catch-all, the not-found handler). */
const formatOf = (req: FastifyRequest): Open311Format => {
  const route = req.routeOptions.url;
  const path = route && !route.endsWith('*') ? route : req.url.split('?')[0]!;
  return path.endsWith('.xml') ? 'xml' : 'json';
};

function send(reply: FastifyReply, format: Open311Format, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').type(CONTENT_TYPE[format]).send(body);
}

function fail(req: FastifyRequest, reply: FastifyReply, status: number, errors: Open311Error[]) {
  return send(reply, formatOf(req), status, errorsBody(formatOf(req), errors));
}

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Open311 GeoReport v2 at `/open311/v2/` (CONTRACT.md "Integrations"): each route in `.json` and
 * `.xml`, every error the spec's list (`[{code, description}]`, `<errors>`), never the API's own
 * shape. A form-body parser is registered in this plugin only (the API takes JSON alone).
 */
export default async function open311Routes(
  fastify: FastifyInstance,
  { open311 }: { open311: Open311Service },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // The spec's POST is a form, and only a form (JSON or text is 415 here). Every field once: a
  // repeated one is refused by name (it arrives as an array, not a string).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: INTAKE_BODY_LIMIT },
    (_req, body, done) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        const prev = out[k];
        out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
      }
      done(null, out);
    },
  );

  // The API's own mapping of every error (validation, domain, Redis down, body too large …),
  // written as the spec's list: one `{code, description}` per bad field, naming it.
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return fail(req, reply, 415, [
        { code: 415, description: 'send application/x-www-form-urlencoded, as GeoReport v2 does' },
      ]);
    const a = errorAnswer(err, req);
    if (a.retryAfterS) reply.header('retry-after', String(a.retryAfterS));
    const list = a.body.issues?.length
      ? a.body.issues.map((i) => ({
          code: a.status,
          description: i.path ? `${i.path}: ${i.message}` : i.message,
        }))
      : [{ code: a.status, description: a.body.message ?? a.body.error }];
    return fail(req, reply, a.status, list);
  });

  const noRoute = (req: FastifyRequest, reply: FastifyReply) =>
    fail(req, reply, 404, [{ code: 404, description: `no route ${req.method} ${req.url.split('?')[0]}` }]);
  app.setNotFoundHandler(noRoute);
  // The built console's static files are served under `/*`, which would take an unknown path
  // here before the not-found handler does: a catch-all of our own prefix is more specific.
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    schema: { hide: true },
    handler: noRoute,
  });

  /** The key first: a caller without one learns nothing about the form's fields. */
  const keyFromQuery = async (req: FastifyRequest) => {
    (req as FastifyRequest & { open311Actor?: string }).open311Actor = open311.actorFor(
      one((req.query as Record<string, unknown> | undefined)?.api_key),
    );
  };
  const keyFromForm = async (req: FastifyRequest) => {
    (req as FastifyRequest & { open311Actor?: string }).open311Actor = open311.actorFor(
      one((req.body as Record<string, unknown> | null | undefined)?.api_key),
    );
  };
  const actorOf = (req: FastifyRequest) => (req as FastifyRequest & { open311Actor?: string }).open311Actor!;

  for (const f of FORMATS) {
    // The document says which media type each answer is (the bodies are sent as text).
    const media = (schema: z.ZodType) => ({ content: { [CONTENT_TYPE[f].split(';')[0]!]: { schema } } });
    const ok = (list: z.ZodType) => media(f === 'json' ? list : S.Open311Xml);
    const errs = (...codes: number[]) =>
      Object.fromEntries(codes.map((c) => [c, media(f === 'json' ? S.Open311Error : S.Open311Xml)]));

    app.get(
      `/services.${f}`,
      {
        schema: {
          tags,
          summary: `Open311 services (${f}): our incident categories, named in Chinese`,
          description: 'Public: the list of services holds no one’s data.',
          ...PUBLIC,
          querystring: S.Open311ReadQuery,
          response: { 200: ok(S.Open311ServiceList), ...errs(400) },
        },
      },
      (_req, reply) => {
        const list = open311.services();
        return send(reply, f, 200, f === 'json' ? JSON.stringify(list) : toXml('services', 'service', list));
      },
    );

    app.get(
      `/services/:code.${f}`,
      {
        schema: {
          tags,
          summary: `Open311 service definition (${f}); no service has attributes`,
          description: 'Public. An unknown service_code is 404 in the spec’s error format.',
          ...PUBLIC,
          params: z.object({ code: z.string().max(64) }),
          querystring: S.Open311ReadQuery,
          response: { 200: ok(S.Open311ServiceDefinition), ...errs(400, 404) },
        },
      },
      (req, reply) => {
        const d = open311.service(req.params.code);
        return send(
          reply,
          f,
          200,
          f === 'json' ? JSON.stringify(d) : objectToXml('service_definition', { ...d, attributes: [] }),
        );
      },
    );

    app.post(
      `/requests.${f}`,
      {
        bodyLimit: INTAKE_BODY_LIMIT,
        preValidation: keyFromForm,
        schema: {
          tags,
          summary: `Open311 POST a service request (${f}): a case through the durable intake`,
          description:
            `${KEYED} A form (\`application/x-www-form-urlencoded\`): \`service_code\`, \`lat\` and ` +
            '`long` are required (every case is placed on the grid); a missing or bad field is 400 ' +
            'naming it, nothing written. Answers once durably queued, with the id the case will have.',
          ...PUBLIC,
          consumes: ['application/x-www-form-urlencoded'],
          body: Open311RequestForm,
          response: { 200: ok(S.Open311Receipts), ...errs(400, 403, 413, 415, 429, 503) },
        },
      },
      async (req, reply) => {
        const receipts = await open311.submit(req.body, actorOf(req));
        return send(
          reply,
          f,
          200,
          f === 'json' ? JSON.stringify(receipts) : toXml('service_requests', 'request', receipts),
        );
      },
    );

    app.get(
      `/requests.${f}`,
      {
        preValidation: keyFromQuery,
        schema: {
          tags,
          summary: `Open311 GET service requests (${f}): newest first, the last 90 days, at most 1000`,
          description:
            `${KEYED} ${READS_NEED_A_KEY} Filters: service_request_id (a list; overrides the rest), ` +
            'service_code, start_date, end_date, status (open, closed). Unknown parameters are 400.',
          ...PUBLIC,
          querystring: Open311RequestQuery,
          response: { 200: ok(S.Open311Requests), ...errs(400, 403, 503) },
        },
      },
      async (req, reply) => {
        const list = await open311.requests(req.query, actorOf(req));
        return send(
          reply,
          f,
          200,
          f === 'json' ? JSON.stringify(list) : toXml('service_requests', 'request', list),
        );
      },
    );

    app.get(
      `/requests/:id.${f}`,
      {
        preValidation: keyFromQuery,
        schema: {
          tags,
          summary: `Open311 GET one service request (${f}), a one-element list`,
          description:
            `${KEYED} ${READS_NEED_A_KEY} A report merged into an earlier case answers as that case ` +
            'under the id it was given. Unknown: 404 in the spec’s error format.',
          ...PUBLIC,
          params: z.object({ id: Id }),
          querystring: S.Open311ReadQuery,
          response: { 200: ok(S.Open311Requests), ...errs(400, 403, 404, 503) },
        },
      },
      async (req, reply) => {
        const list = await open311.request(req.params.id, actorOf(req));
        return send(
          reply,
          f,
          200,
          f === 'json' ? JSON.stringify(list) : toXml('service_requests', 'request', list),
        );
      },
    );
  }
}
