import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Mode } from '../../shared/common.ts';
import { Created } from '../../shared/http.ts';
import { FieldReport, FieldReportInput, Incident, IncidentPatch } from '../../shared/incident.ts';
import {
  Activated,
  ActivateInput,
  DispatchInput,
  ModeInput,
  Operation,
  OperationTask,
  StandDownInput,
  TaskPatch,
} from '../../shared/operation.ts';
import { Resource, ResourcePatch } from '../../shared/resource.ts';
import { VideoAlert } from '../../shared/video-alert.ts';
import type { CaseActionsService } from '../cases/case-actions.service.ts';
import type { ReviewService } from '../pipeline/review.service.ts';
import type { DispatchService } from './dispatch.service.ts';
import type { OperationService } from './operation.service.ts';
import type { ReportService } from './report.service.ts';
import { requireUser, userOf } from '../identity/auth.plugin.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { forbidden } from '../infra/domain-errors.ts';
import { can } from '../../shared/identity.ts';
import { described, errors, IdParams, SESSION_ERRORS, TaskParams } from '../infra/http/answers.ts';

/** Confirm/dismiss carry no body; tolerate an empty JSON object. */
// A body-less POST arrives as null (no content type) or undefined; an empty object is fine too.
const NoBody = z.strictObject({}).nullish();

const tags = [TAGS.commands];
/** What any command may answer besides its own: bad input, no session or role, a state it does not fit. */
const COMMAND_ERRORS = errors(400, 404, 409, 413, 415, ...SESSION_ERRORS);

/**
 * The commands of CONTRACT.md. The role check runs before validation, so a caller without the
 * permission learns nothing but `403`, and nothing changes.
 */
/** The services the commands call, one per kind of command. */
export type CommandRouteServices = {
  operations: OperationService;
  dispatches: DispatchService;
  reports: ReportService;
  caseActions: CaseActionsService;
  review: ReviewService;
};

export default async function commandRoutes(
  fastify: FastifyInstance,
  { operations, dispatches, reports, caseActions, review }: CommandRouteServices,
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const actor = (req: Parameters<typeof userOf>[0]) => userOf(req).username;

  app.post(
    '/api/v1/operations',
    {
      preValidation: requireUser('operation.activate'),
      schema: {
        tags,
        summary: "Activate a plan for an incident: the plan's tasks, wartime",
        description:
          'With `dispatch` (resource ids, e.g. the proposals the commander kept), the same commit ' +
          'dispatches each of them to the new operation; one that is not available is a `409` ' +
          'naming it, and nothing at all is written.',
        body: ActivateInput,
        response: { 201: described(Activated, 'the operation and its dispatches'), ...COMMAND_ERRORS },
      },
    },
    async (req, reply) => {
      const u = userOf(req);
      // Dispatching is a permission of its own; the guard above checked activation only.
      if (req.body.dispatch?.length && !can(u.role, 'dispatch.create'))
        throw forbidden(`role "${u.role}" may not dispatch create`);
      return reply.code(201).send(await operations.activate(req.body, u.username));
    },
  );
  app.post(
    '/api/v1/operations/:id/stand-down',
    {
      preValidation: requireUser('operation.stand_down'),
      schema: {
        tags,
        summary: 'Stand an operation down (peacetime when none is left active)',
        params: IdParams,
        body: StandDownInput.optional(),
        response: { 200: Operation, ...COMMAND_ERRORS },
      },
    },
    async (req) => operations.standDown(req.params.id, req.body ?? {}, actor(req)),
  );
  app.post(
    '/api/v1/mode',
    {
      preValidation: requireUser('mode.switch'),
      schema: {
        tags,
        summary: 'Switch the mode by hand',
        body: ModeInput,
        response: { 200: Mode, ...COMMAND_ERRORS },
      },
    },
    async (req) => operations.switchMode(req.body, actor(req)),
  );
  app.post(
    '/api/v1/dispatches',
    {
      preValidation: requireUser('dispatch.create'),
      schema: {
        tags,
        summary: 'Dispatch an available resource to an incident (`409` when it is not available)',
        body: DispatchInput,
        response: { 201: described(Created, 'the dispatch'), ...COMMAND_ERRORS },
      },
    },
    async (req, reply) => reply.code(201).send(await dispatches.dispatch(req.body, actor(req))),
  );
  app.patch(
    '/api/v1/resources/:id',
    {
      preValidation: requireUser('resource.update'),
      schema: {
        tags,
        summary: "Change a resource's status (and position)",
        params: IdParams,
        body: ResourcePatch,
        response: { 200: Resource, ...COMMAND_ERRORS },
      },
    },
    async (req) => dispatches.update(req.params.id, req.body, actor(req)),
  );
  app.patch(
    '/api/v1/operations/:id/tasks/:taskId',
    {
      preValidation: requireUser('task.update'),
      schema: {
        tags,
        summary: "Change an operation task's status",
        params: TaskParams,
        body: TaskPatch,
        response: { 200: OperationTask, ...COMMAND_ERRORS },
      },
    },
    async (req) => operations.updateTask(req.params.id, req.params.taskId, req.body, actor(req)),
  );
  app.post(
    '/api/v1/incidents/:id/reports',
    {
      preValidation: requireUser('report.create'),
      schema: {
        tags,
        summary: 'A field report on an incident',
        params: IdParams,
        body: FieldReportInput,
        response: { 201: FieldReport, ...COMMAND_ERRORS },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await reports.create(req.params.id, req.body.text, actor(req))),
  );
  app.patch(
    '/api/v1/incidents/:id',
    {
      preValidation: requireUser('incident.update'),
      schema: {
        tags,
        summary: 'Move a case forward through its lifecycle (an alias of the case actions)',
        description:
          'Runs the actions from the case status to the one asked for (verify, dispatch, handle, ' +
          'inspect passed, close), in order, in one commit; `POST /api/v1/cases/:id/actions` is the full set.',
        params: IdParams,
        body: IncidentPatch,
        response: { 200: Incident, ...COMMAND_ERRORS },
      },
    },
    async (req) => caseActions.patch(req.params.id, req.body, userOf(req)),
  );
  for (const verdict of ['confirm', 'dismiss'] as const) {
    app.post(
      `/api/v1/video-alerts/:id/${verdict}`,
      {
        preValidation: requireUser('video_alert.review'),
        schema: {
          tags,
          summary: `${verdict === 'confirm' ? 'Confirm' : 'Dismiss'} a video alert`,
          params: IdParams,
          body: NoBody,
          response: { 200: VideoAlert, ...COMMAND_ERRORS },
        },
      },
      async (req) => review.review(req.params.id, verdict, actor(req)),
    );
  }
}
