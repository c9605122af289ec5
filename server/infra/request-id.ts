import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { channel, type Channel } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Request ids, end to end: HTTP request → BullMQ job (`requestId` in its payload) → the worker's
 * log line for that job. An operator who has the id from a response header (or gave it, from a
 * proxy or an integration) finds every line about that report with one grep.
 */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming id may look like: a token (a UUID, a proxy's hex id, `abc-123.4`), short.
 * Anything else (spaces, quotes, newlines, a kilobyte) would end up in our logs as the sender
 * wrote it, so it is replaced by an id of our own.
 */
const SANE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function saneRequestId(v: unknown): string | null {
  return typeof v === 'string' && SANE.test(v) ? v : null;
}

/** Fastify's `genReqId`: the caller's `X-Request-Id` when it is a sane token, else a UUID. */
export function genReqId(req: IncomingMessage): string {
  return saneRequestId(req.headers[REQUEST_ID_HEADER]) ?? randomUUID();
}

type RequestContext = { requestId: string };
const context = new AsyncLocalStorage<RequestContext>();

/** The id of the HTTP request being served, when called (however deep) from a route handler. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/**
 * Fastify runs every route handler inside its `fastify.request.handler` tracing channel (its
 * documented diagnostics channel); binding our AsyncLocalStorage there gives each handler, and
 * whatever it awaits, the request's id, so a service can put it on the job without every route
 * passing it along. Process-wide, hence once.
 */
let bound = false;
function bindHandlerContext(): void {
  if (bound) return;
  bound = true;
  const start = channel('tracing:fastify.request.handler:start') as Channel<
    RequestContext,
    { request: FastifyRequest; reply: FastifyReply }
  >;
  start.bindStore(context, (ctx) => ({ requestId: ctx.request.id }));
}

/**
 * The caller gets the id it may quote (or that it sent and we kept) on every answer: set at
 * `onRequest`, so a 400 from validation, a 401 from a guard and a 404 for no route carry it too
 * (those never reach a handler). Added by `build()` before any route.
 */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}

/**
 * Gives the app our request ids: `req.id` (and so every `req.log` line's `reqId`) from
 * `genReqId`, the id echoed in `X-Request-Id`, and `currentRequestId()` inside handlers. Call it
 * after `build()` and before the app is ready; child contexts inherit the generator.
 */
export function trackRequestIds(app: FastifyInstance): void {
  app.setGenReqId(genReqId);
  bindHandlerContext();
}
