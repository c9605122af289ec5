import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CameraState, withoutLinks } from '../../shared/camera.ts';
import { CameraLinksPatch } from '../../shared/camera-links.ts';
import { actorOf } from '../identity/auth.service.ts';
import { requireAnyUser, requireUser, userOf } from '../identity/auth.plugin.ts';
import { scopeOf } from '../identity/scope.ts';
import { errors, IdParams, SESSION_ERRORS } from '../infra/http/answers.ts';
import { TAGS } from '../infra/http/openapi.ts';
import type { CameraService } from './camera.service.ts';

/** The cameras (the contract's `GET /api/v1/cameras`) and their device links [admin]. */
export default async function cameraRoutes(
  fastify: FastifyInstance,
  { cameras }: { cameras: CameraService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/cameras',
    {
      preHandler: requireAnyUser(),
      schema: {
        tags: [TAGS.state],
        summary: 'The cameras, with their device links, whether they report and when they were last heard',
        response: { 200: z.array(CameraState), ...errors(...SESSION_ERRORS) },
      },
    },
    async (req) => {
      const all = await cameras.list();
      // A scoped user (sub-centre, department) sees where cameras are, not their device links.
      return scopeOf(userOf(req))?.kind === 'all' ? all : all.map(withoutLinks);
    },
  );
  app.patch(
    '/api/v1/cameras/:id',
    {
      preHandler: requireUser('camera.link'),
      schema: {
        tags: [TAGS.state],
        summary: 'Link a camera to its device (replaces its links; a vendor left out is unlinked)',
        description:
          'Events from Hikvision, ONVIF and Frigate find their camera by these links. 409 when the ' +
          'same link is already on another camera (the answer names it).',
        params: IdParams,
        body: CameraLinksPatch,
        response: { 200: CameraState, ...errors(400, 404, 409, ...SESSION_ERRORS) },
      },
    },
    async (req) => cameras.setLinks(req.params.id, req.body.links, actorOf(req.caller!)),
  );
}
