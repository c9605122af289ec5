import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Queued } from '../../shared/http.ts';
import { Warning } from '../../shared/warning.ts';
import { actorOf } from '../identity/auth.service.ts';
import { requireAnyUser, requireIntakeCaller, userOf } from '../identity/auth.plugin.ts';
import { canSee } from '../identity/scope.ts';
import { DomainError, notFound } from '../infra/domain-errors.ts';
import { described, errors, IdParams, SESSION_ERRORS } from '../infra/http/answers.ts';
import { TAGS } from '../infra/http/openapi.ts';
import type { SnapshotService } from '../live/snapshot.service.ts';
import { XML_MAX_BYTES } from './xml-read.ts';
import type { WarningService } from './warning.service.ts';

const CAP_TYPES = ['application/cap+xml', 'application/xml'];
const XmlAnswer = (what: string) => ({
  description: what,
  content: { 'application/cap+xml': { schema: z.string() } },
});

/**
 * Early warnings (the contract's "Early warnings (预警), CAP 1.2"): CAP in (an intake key, duty,
 * commander), the active warnings, and CAP out for a warning and for an incident.
 */
export default async function warningRoutes(
  fastify: FastifyInstance,
  { warnings, snapshot }: { warnings: WarningService; snapshot: SnapshotService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // This plugin's routes take CAP only, as bytes: the parser decodes them by BOM or declared
  // encoding (CAP feeds send ISO-8859-1 and GB18030 too). JSON here is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(CAP_TYPES, { parseAs: 'buffer', bodyLimit: XML_MAX_BYTES }, (_req, body, done) =>
    done(null, body),
  );
  const user = requireAnyUser();

  app.post(
    '/api/v1/warnings',
    {
      bodyLimit: XML_MAX_BYTES,
      preHandler: [
        requireIntakeCaller,
        async (req) => {
          // Besides an intake key, the duty officer and the commander (the contract's roles).
          const c = req.caller;
          if (c?.kind === 'user' && c.user.role !== 'duty' && c.user.role !== 'commander')
            throw new DomainError(403, 'forbidden', `role "${c.user.role}" may not post warnings`);
        },
      ],
      schema: {
        tags: [TAGS.intake],
        summary: 'Post a CAP 1.2 alert (1.1 accepted): the same (sender, identifier) twice is one warning',
        description:
          'Content-Type application/cap+xml or application/xml. 400 names every problem (`issues`, ' +
          'path like `info[0].area[1].polygon[0]`); Draft is 400; an Update/Cancel naming a message ' +
          "never received 409; an integration's Update/Cancel of a warning another integration issued 403. " +
          "The id answered is the message's, which for an Alert is its warning's.",
        response: {
          202: described(Queued, 'durably queued'),
          ...errors(400, 401, 403, 409, 413, 415, 429, 503),
        },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        throw new DomainError(400, 'invalid_cap', 'send the CAP message as the body', [
          { path: '', message: 'no body' },
        ]);
      const caller = req.caller!;
      return reply
        .code(202)
        .send(await warnings.submit(req.body, actorOf(caller), undefined, caller.kind === 'key'));
    },
  );

  app.get(
    '/api/v1/warnings',
    {
      preHandler: user,
      schema: {
        tags: [TAGS.state],
        summary: 'Active warnings (Actual, and Exercise as drills; Test/System are never shown)',
        response: { 200: z.array(Warning), ...errors(...SESSION_ERRORS) },
      },
    },
    async () => warnings.active(),
  );

  app.get(
    '/api/v1/warnings/:id.xml',
    {
      preHandler: user,
      schema: {
        tags: [TAGS.state],
        summary: "A warning's message in force, as CAP 1.2",
        params: IdParams,
        response: { 200: XmlAnswer('CAP 1.2'), ...errors(400, 404, ...SESSION_ERRORS) },
      },
    },
    async (req, reply) => {
      const xml = await warnings.capXml(req.params.id);
      return reply.type('application/cap+xml; charset=utf-8').send(xml);
    },
  );

  app.get(
    '/api/v1/incidents/:id/cap.xml',
    {
      preHandler: user,
      schema: {
        tags: [TAGS.state],
        summary: 'An incident as CAP 1.2 (Restricted), for neighbouring systems that take CAP',
        params: IdParams,
        response: { 200: XmlAnswer('CAP 1.2'), ...errors(400, 404, ...SESSION_ERRORS) },
      },
    },
    async (req, reply) => {
      const inc = await snapshot.incident(req.params.id);
      // Out of a scoped user's scope it does not exist for them, as for the incident read.
      if (!canSee(userOf(req), inc)) throw notFound(`incident ${req.params.id}`);
      return reply.type('application/cap+xml; charset=utf-8').send(warnings.incidentXml(inc));
    },
  );
}
