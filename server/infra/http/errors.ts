import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  hasZodFastifySchemaValidationErrors,
  ResponseSerializationError,
  type ZodFastifySchemaValidationError,
} from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { isRedisUnavailable, REDIS_RETRY_AFTER_S, redisErrors, type RedisErrorLog } from '../redis-errors.ts';
import { DomainError } from '../domain-errors.ts';

type Issue = { path: string; message: string };
/** What a zod issue says, whether it comes as a ZodError or through the type provider. */
type IssueLike = { path: readonly PropertyKey[]; code: string; message: string; keys?: readonly string[] };

export function zodIssues(err: ZodError | { issues: readonly IssueLike[] }, where?: string): Issue[] {
  // Body fields are named as sent ("location.lat"); other parts say where ("params.id").
  const context = where === 'body' ? undefined : where;
  return (err.issues as readonly IssueLike[]).map((i) => {
    const path = [context, ...i.path.map(String)].filter(Boolean).join('.');
    // Unknown keys sit on the parent; name them so the sender knows which field to drop.
    const keys =
      i.code === 'unrecognized_keys' && i.keys ? i.keys.map((k) => `${path ? path + '.' : ''}${k}`) : null;
    return { path: keys ? keys.join(',') : path || (where ?? ''), message: i.message };
  });
}

/**
 * The issues of a request fastify-type-provider-zod refused, back in zod's terms: it reports each
 * as `instancePath` "/location/lat" with the rest of the issue (`keys` …) in `params`.
 */
function providerIssues(validation: ZodFastifySchemaValidationError[]): IssueLike[] {
  return validation.map((v) => ({
    path: v.instancePath.split('/').filter((p) => p !== ''),
    code: v.keyword,
    message: v.message ?? 'invalid',
    keys: Array.isArray(v.params?.keys) ? (v.params.keys as string[]) : undefined,
  }));
}

/**
 * Errors Fastify raises before any route or hook runs (a malformed percent-encoding in the URL):
 * the API's own 400 shape, naming the URL, instead of Fastify's. Given to `Fastify({frameworkErrors})`.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  const message =
    err.code === 'FST_ERR_BAD_URL'
      ? 'malformed URL: a % must start a valid percent-encoded byte'
      : err.message;
  return reply
    .code(400)
    .header('cache-control', 'no-store')
    .send({ error: 'invalid_request', issues: [{ path: 'url', message }] });
}

/** An error as the API answers it: status, body, and when to retry. */
export type ErrorAnswer = {
  status: number;
  body: { error: string; message?: string; issues?: Issue[] };
  retryAfterS?: number;
};

/**
 * What the API answers for `err` (the error handler below sends it; a plugin with an error format
 * of its own, as Open311's, translates it). Bad input names every bad field; a 5xx never leaks
 * its cause.
 */
export function errorAnswer(
  err: FastifyError & { validationContext?: string },
  req: FastifyRequest,
  unavailable: RedisErrorLog = redisErrors,
): ErrorAnswer {
  // A request the route's schema refused (params, body, querystring): every bad field named.
  if (hasZodFastifySchemaValidationErrors(err)) {
    return {
      status: 400,
      body: {
        error: 'invalid_request',
        issues: zodIssues({ issues: providerIssues(err.validation) }, err.validationContext),
      },
    };
  }
  if (err instanceof ZodError) {
    return { status: 400, body: { error: 'invalid_request', issues: zodIssues(err, err.validationContext) } };
  }
  // An answer its response schema refuses is our bug, never the caller's: a 500, logged with
  // what did not match (the body itself is not logged: it may hold what must not leak).
  if (err instanceof ResponseSerializationError) {
    req.log.error(
      { route: `${err.method} ${err.url}`, issues: err.cause.issues },
      'response does not match its schema',
    );
    return {
      status: 500,
      body: { error: 'internal_error', message: 'something went wrong; it has been logged' },
    };
  }
  if (err instanceof DomainError) {
    return {
      status: err.status,
      body: { error: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) },
      ...(err.retryAfterS ? { retryAfterS: err.retryAfterS } : {}),
    };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: 'payload_too_large', message: 'the request body is too large' } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'unsupported_media_type', message: 'send application/json' } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: { error: 'invalid_request', issues: [{ path: 'body', message: 'empty JSON body' }] },
      };
    case 'FST_ERR_RATE_LIMITED':
      return { status: 429, body: { error: 'rate_limited' } };
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return {
      status: 400,
      body: {
        error: 'invalid_request',
        issues: [{ path: 'body', message: `malformed JSON: ${err.message}` }],
      },
    };
  }
  // The write could not be made durable now (Redis frozen, down, reconnecting, refusing writes):
  // that is the contract's 503, which a sender retries, not a 500. Counted and logged (rate-
  // limited) with the connections' own errors: an outage must not flood the log.
  if (isRedisUnavailable(err)) {
    unavailable.record('request', err);
    return {
      status: 503,
      body: { error: 'unavailable', message: 'the data store is not answering; try again shortly' },
      retryAfterS: REDIS_RETRY_AFTER_S,
    };
  }
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    req.log.error({ err }, 'request failed');
    return { status, body: { error: 'internal_error', message: 'something went wrong; it has been logged' } };
  }
  return { status, body: { error: err.code ?? 'bad_request', message: err.message } };
}

/** One error shape for the API (`errorAnswer`). */
export default fp(async function errors(app: FastifyInstance, opts: { redisErrors?: RedisErrorLog } = {}) {
  const unavailable = opts.redisErrors ?? redisErrors;
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, req, reply) => {
    const a = errorAnswer(err, req, unavailable);
    if (a.retryAfterS) reply.header('retry-after', String(a.retryAfterS));
    return reply.code(a.status).send(a.body);
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url}` }),
  );
});
