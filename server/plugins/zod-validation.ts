import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ZodType } from 'zod';

/**
 * Route schemas are the shared zod schemas themselves, so the API validates exactly what the
 * client and integrators are told. A failure throws the ZodError, which the error handler turns
 * into `400 {error: "invalid_request", issues}`.
 */
export default fp(async function zodValidation(app: FastifyInstance) {
  app.setValidatorCompiler(({ schema }) => {
    const z = schema as ZodType;
    return (data: unknown) => {
      const r = z.safeParse(data);
      return r.success ? { value: r.data } : { error: r.error };
    };
  });
  // Responses are plain JSON of already-validated state.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
});
