import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CaseAction } from '../../shared/case.ts';
import { CaseRules, CaseRulesInput, Department } from '../../shared/case-rules.ts';
import { Incident, IncidentRecord } from '../../shared/incident.ts';
import type { Container } from '../container.ts';
import { requireUser, userOf } from '../plugins/auth.ts';
import { TAGS } from '../plugins/openapi.ts';
import { errors, IdParams, SESSION_ERRORS } from '../routes/answers.ts';
import { notFound } from '../services/errors.ts';
import { actorOf } from './case-actions.service.ts';
import { inScope } from './lifecycle.ts';

const tags = [TAGS.commands];

/**
 * Peacetime case handling: the case actions and one case's record, the case rules and the
 * departments. Who may take which action on which case is the lifecycle's (404 out of scope,
 * 403 wrong role, 409 wrong status); the guard admits the roles that act on cases at all.
 */
export default async function caseRoutes(fastify: FastifyInstance, { c }: { c: Container }) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/v1/cases/:id/actions',
    {
      preValidation: requireUser('case.act'),
      schema: {
        tags,
        summary: 'An action on a case: verify, answer, void, dispatch, handle, inspect, close, defer, resume, extend, escalate',
        description:
          'duty, commander and the case’s sub-centre: all but handle; the case’s department: handle and ' +
          'extend. Out of a scoped user’s scope: 404. An action the status does not allow: 409.',
        params: IdParams,
        body: CaseAction,
        response: { 200: Incident, ...errors(400, 404, 409, 413, 415, ...SESSION_ERRORS) },
      },
    },
    async (req) => c.caseActions.act(req.params.id, req.body, userOf(req)),
  );

  app.get(
    '/api/v1/cases/:id',
    {
      preValidation: requireUser('case.read'),
      schema: {
        tags: [TAGS.record],
        summary: 'One case with its steps, due times and whole history (404 outside a scoped user’s scope)',
        params: IdParams,
        response: { 200: IncidentRecord, ...errors(400, 404, ...SESSION_ERRORS) },
      },
    },
    async (req) => {
      const rec = await c.records.incident(req.params.id);
      // Out of scope answers as if it did not exist.
      if (!rec || !inScope(rec, actorOf(userOf(req)))) throw notFound(`case ${req.params.id}`);
      return rec;
    },
  );

  app.get(
    '/api/v1/case-rules',
    {
      preValidation: requireUser('case.read'),
      schema: {
        tags: [TAGS.state],
        summary: 'The case rules in force: routing, time limits, working calendar, score weights',
        response: { 200: CaseRules, ...errors(...SESSION_ERRORS) },
      },
    },
    async () => c.caseRules.current(),
  );

  app.put(
    '/api/v1/case-rules',
    {
      preValidation: requireUser('case_rules.update'),
      schema: {
        tags: [TAGS.commands],
        summary: 'Save a new version of the case rules',
        description:
          'Every problem is named (400); a `version` other than the one in force is 409. New cases get ' +
          'the new version; a case keeps the version it was accepted under.',
        body: CaseRulesInput,
        response: { 200: CaseRules, ...errors(400, 409, 413, 415, ...SESSION_ERRORS) },
      },
    },
    async (req) => c.caseRules.update(req.body, userOf(req).username),
  );

  app.get(
    '/api/v1/departments',
    {
      preValidation: requireUser('case.read'),
      schema: {
        tags: [TAGS.state],
        summary: 'The district’s responsible departments (and every street’s office)',
        response: { 200: z.array(Department), ...errors(...SESSION_ERRORS) },
      },
    },
    async () => [...c.caseRules.departments],
  );
}
