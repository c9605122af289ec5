import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Id } from '../../shared/common.ts';
import { FieldReportInput, IncidentPatch } from '../../shared/incident.ts';
import {
  ActivateInput,
  DispatchInput,
  ModeInput,
  StandDownInput,
  TaskPatch,
} from '../../shared/operation.ts';
import { ResourcePatch } from '../../shared/resource.ts';
import type { Container } from '../container.ts';
import { requireUser, userOf } from '../plugins/auth.ts';

const IdParams = z.object({ id: Id });
const TaskParams = z.object({ id: Id, taskId: Id });
/** Confirm/dismiss carry no body; tolerate an empty JSON object. */
// A body-less POST arrives as null (no content type) or undefined; an empty object is fine too.
const NoBody = z.strictObject({}).nullish();

/**
 * The commands of CONTRACT.md. The role check runs before validation, so a caller without the
 * permission learns nothing but `403`, and nothing changes.
 */
export default async function commandRoutes(app: FastifyInstance, { c }: { c: Container }) {
  const actor = (req: Parameters<typeof userOf>[0]) => userOf(req).username;

  app.post<{ Body: z.infer<typeof ActivateInput> }>(
    '/api/v1/operations',
    { preValidation: requireUser('operation.activate'), schema: { body: ActivateInput } },
    async (req, reply) => reply.code(201).send(await c.operations.activate(req.body, actor(req))),
  );
  app.post<{ Params: { id: string }; Body: z.infer<typeof StandDownInput> | undefined }>(
    '/api/v1/operations/:id/stand-down',
    {
      preValidation: requireUser('operation.stand_down'),
      schema: { params: IdParams, body: StandDownInput.optional() },
    },
    async (req) => c.operations.standDown(req.params.id, req.body ?? {}, actor(req)),
  );
  app.post<{ Body: z.infer<typeof ModeInput> }>(
    '/api/v1/mode',
    { preValidation: requireUser('mode.switch'), schema: { body: ModeInput } },
    async (req) => c.operations.switchMode(req.body, actor(req)),
  );
  app.post<{ Body: z.infer<typeof DispatchInput> }>(
    '/api/v1/dispatches',
    { preValidation: requireUser('dispatch.create'), schema: { body: DispatchInput } },
    async (req, reply) => reply.code(201).send(await c.dispatches.dispatch(req.body, actor(req))),
  );
  app.patch<{ Params: { id: string }; Body: ResourcePatch }>(
    '/api/v1/resources/:id',
    { preValidation: requireUser('resource.update'), schema: { params: IdParams, body: ResourcePatch } },
    async (req) => c.dispatches.update(req.params.id, req.body, actor(req)),
  );
  app.patch<{ Params: { id: string; taskId: string }; Body: z.infer<typeof TaskPatch> }>(
    '/api/v1/operations/:id/tasks/:taskId',
    { preValidation: requireUser('task.update'), schema: { params: TaskParams, body: TaskPatch } },
    async (req) => c.operations.updateTask(req.params.id, req.params.taskId, req.body, actor(req)),
  );
  app.post<{ Params: { id: string }; Body: z.infer<typeof FieldReportInput> }>(
    '/api/v1/incidents/:id/reports',
    { preValidation: requireUser('report.create'), schema: { params: IdParams, body: FieldReportInput } },
    async (req, reply) =>
      reply.code(201).send(await c.reports.create(req.params.id, req.body.text, actor(req))),
  );
  app.patch<{ Params: { id: string }; Body: IncidentPatch }>(
    '/api/v1/incidents/:id',
    { preValidation: requireUser('incident.update'), schema: { params: IdParams, body: IncidentPatch } },
    async (req) => c.cases.advance(req.params.id, req.body, actor(req)),
  );
  for (const verdict of ['confirm', 'dismiss'] as const) {
    app.post<{ Params: { id: string } }>(
      `/api/v1/video-alerts/:id/${verdict}`,
      { preValidation: requireUser('video_alert.review'), schema: { params: IdParams, body: NoBody } },
      async (req) => c.review.review(req.params.id, verdict, actor(req)),
    );
  }
}
