import { z } from 'zod';
import { Id } from '../../../shared/common.ts';
import { ERROR_BODY } from '../../../shared/protocol.ts';

/** What each error status means across the API (plugins/errors.ts gives them their body). */
const WHY = {
  400: 'invalid_request: `issues` names every bad field',
  401: 'no session (or an unknown intake key)',
  403: 'this role (or an intake key) may not do this; nothing changed',
  404: 'no such item',
  409: 'the action does not fit the current state; nothing changed',
  413: 'the body is too large',
  415: 'send application/json',
  422: 'unknown_camera: the device is linked to no camera (PATCH /api/v1/cameras/:id); nothing written',
  429: 'too many requests; `Retry-After` says when to try again',
  503: 'Redis is not answering or the pipeline is full; retry after `Retry-After`',
} as const;
export type ErrorStatus = keyof typeof WHY;

/**
 * Answers with a description for the docs. The OpenAPI document reads metadata from its own
 * registry, not zod's global one, so plugins/openapi.ts registers each of these with its text.
 */
export const DESCRIBED: { schema: z.ZodType; description: string }[] = [];
export function described<S extends z.ZodType>(schema: S, description: string): S {
  const s = schema.describe(description) as S;
  DESCRIBED.push({ schema: s, description });
  return s;
}

const ERROR_ANSWERS = Object.fromEntries(
  Object.entries(WHY).map(([code, why]) => [code, described(ERROR_BODY, why)]),
) as Record<ErrorStatus, typeof ERROR_BODY>;

/** The error answers a route may give, each the API's one error body, described for the docs. */
export function errors<C extends ErrorStatus>(...codes: readonly C[]): Record<C, typeof ERROR_BODY> {
  return Object.fromEntries(codes.map((c) => [c, ERROR_ANSWERS[c]])) as Record<C, typeof ERROR_BODY>;
}

/** Path parameters. */
export const IdParams = z.object({ id: Id });
export const TaskParams = z.object({ id: Id, taskId: Id });

/** What every route behind a session may answer besides its own: 401, 403 (a key), 503. */
export const SESSION_ERRORS = [401, 403, 503] as const;
