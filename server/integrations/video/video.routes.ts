import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id } from '../../../shared/common.ts';
import { senderOf } from '../../identity/auth.service.ts';
import { requireIntakeCaller, requireUser } from '../../identity/auth.plugin.ts';
import { DomainError, notFound } from '../../infra/domain-errors.ts';
import { described, errors, SESSION_ERRORS } from '../../infra/http/answers.ts';
import { TAGS } from '../../infra/http/openapi.ts';
import { HIKVISION_BODY_MAX_BYTES } from './hikvision.ts';
import { ONVIF_MAX_BYTES } from './onvif.ts';
import { FRIGATE_MAX_BYTES } from './frigate.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { VideoIngestService } from './video-ingest.service.ts';

const Accepted = described(
  z.object({
    alerts: z.array(z.object({ id: Id, status: z.literal('queued') })),
    cameras: z.array(Id),
  }),
  'durably queued: the alerts this message raised (none for a repeat or a heartbeat) and the cameras it was about',
);
const response = { 202: Accepted, ...errors(400, 401, 403, 413, 415, 422, 429, 503) };
const KEYED =
  'An intake key (`Authorization: Bearer <key>`) or an operator. Each event finds its camera by ' +
  "the cameras' links (`PATCH /api/v1/cameras/:id`); none: 422 `unknown_camera`, nothing written. " +
  'Repeats of an active event and heartbeats raise no new alert; they mark the camera online.';

const bytesOf = (req: FastifyRequest): Buffer => {
  if (Buffer.isBuffer(req.body) && req.body.length > 0) return req.body;
  throw new DomainError(400, 'invalid_request', 'the body is empty', [{ path: 'body', message: 'no body' }]);
};

/**
 * The video platforms' adapters (the contract's "Integrations"): Hikvision ISAPI, ONVIF and
 * Frigate post here as they would to their own servers; and the snapshots they sent, for operators.
 */
export default async function videoRoutes(
  fastify: FastifyInstance,
  { video, snapshots }: { video: VideoIngestService; snapshots: SnapshotStore },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  // Every body as bytes: the parsers read XML by its declared encoding, split multipart
  // themselves and name a broken JSON's problem; the service says which types each route takes
  // (415 otherwise).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: HIKVISION_BODY_MAX_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/api/v1/integrations/hikvision',
    {
      bodyLimit: HIKVISION_BODY_MAX_BYTES,
      preHandler: requireIntakeCaller,
      schema: {
        tags: [TAGS.intake],
        summary: 'A Hikvision ISAPI EventNotificationAlert (XML, or multipart with the alarm image)',
        description:
          `${KEYED} Content-Type application/xml, text/xml or multipart/* (HTTP listening mode, alert ` +
          'streams): the XML parts are events, a JPEG part is kept as the alert snapshot.',
        consumes: ['application/xml', 'multipart/mixed', 'multipart/form-data'],
        response,
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(
          await video.hikvision(bytesOf(req), req.headers['content-type'], senderOf(req.caller!), req.ip),
        ),
  );

  app.post(
    '/api/v1/integrations/onvif',
    {
      bodyLimit: ONVIF_MAX_BYTES,
      preHandler: requireIntakeCaller,
      schema: {
        tags: [TAGS.intake],
        summary: 'ONVIF notifications: a wsnt:Notify or a metadata stream',
        description:
          `${KEYED} Content-Type application/soap+xml or application/xml. The producer ` +
          '(`wsnt:ProducerReference`) is the link; `PropertyOperation="Initialized"` states a value ' +
          'and raises nothing.',
        consumes: ['application/soap+xml', 'application/xml'],
        response,
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await video.onvif(bytesOf(req), req.headers['content-type'], senderOf(req.caller!))),
  );

  app.post(
    '/api/v1/integrations/frigate',
    {
      bodyLimit: FRIGATE_MAX_BYTES,
      preHandler: requireIntakeCaller,
      schema: {
        tags: [TAGS.intake],
        summary: 'A Frigate `events` or `reviews` message, as Frigate publishes it on MQTT',
        description: `${KEYED} Content-Type application/json. An event and the review of the same detection are one alert.`,
        consumes: ['application/json'],
        response,
      },
    },
    async (req, reply) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/json')
        throw new DomainError(415, 'unsupported_media_type', 'send application/json');
      return reply.code(202).send(await video.frigate(bytesOf(req), senderOf(req.caller!)));
    },
  );

  app.get(
    '/api/v1/video-snapshots/:sha256',
    {
      preHandler: requireUser(),
      schema: {
        tags: [TAGS.state],
        summary: "A camera's alarm image, as it sent it (a video alert's `snapshotUrl`)",
        description: 'Named by its SHA-256; the same for ever, so cached for good.',
        params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex') }),
        response: {
          200: { description: 'the image', content: { 'image/jpeg': { schema: z.string() } } },
          ...errors(400, 404, ...SESSION_ERRORS),
        },
      },
    },
    async (req, reply) => {
      const s = await snapshots.get(req.params.sha256);
      if (!s) throw notFound(`snapshot ${req.params.sha256}`);
      return (
        reply
          .type(s.mime)
          .header('cache-control', 'private, max-age=31536000, immutable')
          // Bytes, sent as they are (Fastify serializes no Buffer); the schema documents the media type.
          .send(s.bytes as unknown as string)
      );
    },
  );
}
