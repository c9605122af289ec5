import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  FootageCompleteInput,
  FootageDecisionInput,
  FootageList,
  FootageListQuery,
  FootageRequest,
  FootageRequestInput,
} from '../../shared/footage.ts';
import { requireUser, userOf } from '../identity/auth.plugin.ts';
import { errors, IdParams, SESSION_ERRORS } from '../infra/http/answers.ts';
import { TAGS } from '../infra/http/openapi.ts';
import type { FootageActor } from './footage-rules.ts';
import type { FootageService } from './footage.service.ts';

const COMMAND_ERRORS = errors(400, 404, 409, 413, 415, ...SESSION_ERRORS);
const READ_ERRORS = errors(400, 404, ...SESSION_ERRORS);
const actor = (req: FastifyRequest): FootageActor => {
  const u = userOf(req);
  return { username: u.username, role: u.role };
};

/**
 * Footage retrieval for the police (调取录像, the contract's "Integrations"): duty requests and
 * completes, the commander approves or denies, every operator reads the list with its totals.
 * The role check runs before validation: a caller without the right learns only `403`.
 */
export default async function footageRoutes(
  fastify: FastifyInstance,
  { footage }: { footage: FootageService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/footage-requests',
    {
      preValidation: requireUser('footage.request'),
      schema: {
        tags: [TAGS.commands],
        summary: 'Record a police request for footage (duty officer): cameras, period, who asks and why',
        description: '400 names every unknown camera (`cameraIds.<i>`).',
        body: FootageRequestInput,
        response: { 201: FootageRequest, ...COMMAND_ERRORS },
      },
    },
    async (req, reply) => {
      const r = await footage.create(req.body, actor(req));
      return reply.code(201).header('location', `/api/v1/footage-requests/${r.id}`).send(r);
    },
  );

  for (const action of ['approve', 'deny'] as const)
    app.post(
      `/api/v1/footage-requests/:id/${action}`,
      {
        preValidation: requireUser('footage.decide'),
        schema: {
          tags: [TAGS.commands],
          summary:
            action === 'approve'
              ? 'Approve a requested retrieval (commander)'
              : 'Deny a requested retrieval (commander); the note says why',
          params: IdParams,
          body: FootageDecisionInput.nullish(),
          response: { 200: FootageRequest, ...COMMAND_ERRORS },
        },
      },
      async (req) => footage.act(req.params.id, action, req.body ?? {}, actor(req)),
    );

  app.post(
    '/api/v1/footage-requests/:id/complete',
    {
      preValidation: requireUser('footage.complete'),
      schema: {
        tags: [TAGS.commands],
        summary: 'Complete an approved retrieval with the hours of video delivered (duty officer)',
        params: IdParams,
        body: FootageCompleteInput,
        response: { 200: FootageRequest, ...COMMAND_ERRORS },
      },
    },
    async (req) => footage.act(req.params.id, 'complete', req.body, actor(req)),
  );

  app.get(
    '/api/v1/footage-requests',
    {
      preValidation: requireUser(),
      schema: {
        tags: [TAGS.record],
        summary: 'Requests made in [from, to) (default: the last 30 days), newest first, with totals',
        querystring: FootageListQuery,
        response: { 200: FootageList, ...errors(400, ...SESSION_ERRORS) },
      },
    },
    async (req) => footage.list(req.query),
  );

  app.get(
    '/api/v1/footage-requests/:id',
    {
      preValidation: requireUser(),
      schema: {
        tags: [TAGS.record],
        summary: 'One footage request',
        params: IdParams,
        response: { 200: FootageRequest, ...READ_ERRORS },
      },
    },
    async (req) => footage.get(req.params.id),
  );
}
