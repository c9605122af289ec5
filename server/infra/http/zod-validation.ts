import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ResponseSerializationError, validatorCompiler } from 'fastify-type-provider-zod';
import { $ZodError, $ZodType, config, util } from 'zod/v4/core';

/**
 * An answer through its response schema: its shape (types, required fields, enums) is checked and
 * every key the schema does not name is dropped, so an internal field (a version kept beside an
 * entity, a password hash) never reaches a client. Content rules are not run again on the way out
 * (zod's `skipChecks`): they were the input's (shared/text.ts), and older stored data that
 * predates one (a title with a lone surrogate, see poison-text.int.test.ts) must still be served
 * rather than turn a whole snapshot into a 500. It is also ~6× cheaper than the provider's
 * `safeEncode` (a 1,000-incident snapshot: ~7 ms against ~40 ms of event loop).
 */
export function serializeThrough(schema: $ZodType, data: unknown, method: string, url: string): string {
  const out = schema._zod.run({ value: data, issues: [] }, { direction: 'backward', skipChecks: true });
  if (out instanceof Promise) throw new Error(`response schema of ${method} ${url} is async`);
  if (out.issues.length) {
    // Finished as a parse finishes them (path, message), for the log line that names the route.
    const issues = out.issues.map((i) => util.finalizeIssue(i, undefined, config()));
    throw new ResponseSerializationError(method, url, { cause: new $ZodError(issues) });
  }
  return JSON.stringify(out.value);
}

/**
 * Route schemas are the shared zod schemas themselves (fastify-type-provider-zod), both ways:
 * requests are validated with them by the provider's validatorCompiler (a failure reaches the
 * error handler, which answers `400 {error: "invalid_request", issues}` naming every bad field),
 * and answers are serialized through them (above). The OpenAPI document (plugins/openapi.ts) is
 * generated from the same schemas.
 */
export default fp(async function zodValidation(app: FastifyInstance) {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(({ schema, method, url }) => {
    // As the provider reads it: the schema itself, or wrapped as `{properties}`.
    const zod = schema instanceof $ZodType ? schema : (schema as { properties?: unknown }).properties;
    if (!(zod instanceof $ZodType))
      throw new Error(`response schema of ${method} ${url} is not a zod schema`);
    return (data) => serializeThrough(zod, data, method, url);
  });
});
