import { sql, type Transaction } from 'kysely';
import type { Incident, IncidentHistoryEntry } from '../../shared/incident.ts';
import type { Dispatch, Operation, OperationTask } from '../../shared/operation.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import type {
  CaseAliasesTable,
  CaseHistoryTable,
  CasesTable,
  DispatchesTable,
  FieldReportsTable,
  HistoryTables,
  KpiReportsTable,
  WarningsTable,
  FootageRequestsTable,
  OperationsTable,
  ResourceStatusTable,
  TasksTable,
  VideoAlertsTable,
} from './db.ts';
import { kpiReportRow, writeKpiReports } from './kpi-reports.read-model.ts';
import { warningRow, writeWarnings } from './warnings.read-model.ts';
import { footageRow, writeFootageRequests } from './footage.read-model.ts';
import { pgJson, pgText } from './pg-text.ts';
import { caseFacts, type CaseFactsRow } from '../cases/case-facts.ts';
import { upsertCaseFacts } from '../cases/case-facts.repository.ts';

/** The read models, emptied by a rebuild; `events` and `projection` are not among them. */
export const READ_MODEL_TABLES = [
  'cases',
  'operations',
  'mode_changes',
  'case_history',
  'case_aliases',
  'video_alerts',
  'tasks',
  'dispatches',
  'field_reports',
  'resource_status',
  'kpi_reports',
  'warnings',
  'footage_requests',
  'case_facts',
] as const;

/**
 * Read models added after migration 0002, which runs the log through this projection before
 * their tables exist: it leaves them out (each one's own migration fills it).
 */
export const LATER_READ_MODELS = ['case_facts', 'kpi_reports', 'warnings', 'footage_requests'] as const;
export type ProjectionOptions = { without?: readonly (typeof LATER_READ_MODELS)[number][] };

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const ROWS_PER_INSERT = 1000;

/** An incident as events before protocol v2 carried it: the whole history, every merged id. */
type IncidentV1 = Incident & { history?: IncidentHistoryEntry[] };

/**
 * The history entry an incident event adds: its `lastAction`, or for an event written before
 * protocol v2 (no `lastAction`, the whole `history`) the last entry of that history.
 */
export function entryOf(inc: IncidentV1): IncidentHistoryEntry | undefined {
  return inc.lastAction ?? inc.history?.at(-1);
}

/**
 * The merged report ids an incident event introduces, in order: the `ref` of a `merged` entry.
 * An event before v2 (no `lastAction`) carried every merged id: each one is an alias. (A v2
 * event may still carry the `history` of the v1 entity it was made from: `lastAction` decides.)
 */
export function aliasesOf(inc: IncidentV1): string[] {
  const e = inc.lastAction;
  if (e) return e.action === 'merged' && e.ref ? [e.ref] : [];
  return Array.isArray(inc.history) ? (inc.mergedIds ?? []) : [];
}

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) out.push(rows.slice(i, i + ROWS_PER_INSERT));
  return out;
}

/**
 * Writes a batch of events, in seq order and each for the first time, into the read models. The
 * one projection code: the live projector and `rebuildReadModels` both call it, so a rebuild
 * yields the rows live projection did, whatever the batches. Events carry whole entities, so each
 * entity's last event in the batch is its row; `last_seq` keeps an older event from overwriting a
 * newer row. Append-only tables (history, aliases, dispatches, reports, resource status) insert
 * once per seq or id (`do nothing`). `*.archived` only sets `archived_at`: the row stays.
 */
export async function applyToReadModels(
  trx: Transaction<HistoryTables>,
  events: LiveEvent[],
  opts: ProjectionOptions = {},
): Promise<void> {
  const cases = new Map<string, CasesTable>();
  const facts = new Map<string, CaseFactsRow>();
  const operations = new Map<string, OperationsTable>();
  const alerts = new Map<string, VideoAlertsTable>();
  const tasks = new Map<string, TasksTable>();
  const history: CaseHistoryTable[] = [];
  const aliases = new Map<string, CaseAliasesTable>();
  const dispatches = new Map<string, DispatchesTable>();
  const reports = new Map<string, FieldReportsTable>();
  const resources: ResourceStatusTable[] = [];
  const kpiReports = new Map<string, KpiReportsTable>();
  const warnings = new Map<string, WarningsTable>();
  const footage = new Map<string, FootageRequestsTable>();
  const archived: Record<'cases' | 'video_alerts' | 'operations', Map<string, string>> = {
    cases: new Map(),
    video_alerts: new Map(),
    operations: new Map(),
  };
  const modes: { seq: number; state: string; at: string; actor: string | null; reason: string | null }[] = [];
  const putTask = (operationId: string, t: OperationTask, seq: number) =>
    tasks.set(`${operationId}\n${t.id}`, taskRow(operationId, t, seq));
  for (const ev of events) {
    switch (ev.type) {
      // A deadline event carries the case with its running step flagged dueSoon/overdue: a version
      // of it for the rows. Its history entry is the incident.updated's, committed with it.
      case 'incident.created':
      case 'incident.updated':
      case 'case.due_soon':
      case 'case.overdue': {
        const row = caseRow(ev.data, ev.seq);
        facts.set(row.id, caseFacts(ev.data, ev.seq));
        const prior = cases.get(row.id);
        // closed_at is when it first became closed: keep the earlier moment within the batch
        if (row.status === 'closed') row.closed_at = prior?.closed_at ?? ev.at;
        cases.set(row.id, row);
        if (ev.type === 'case.due_soon' || ev.type === 'case.overdue') break;
        const entry = entryOf(ev.data);
        if (entry)
          history.push({
            case_id: ev.data.id,
            seq: ev.seq,
            at: entry.at,
            action: entry.action,
            actor: pgText(entry.actor ?? null),
            note: pgText(entry.note ?? null),
            ref: pgText(entry.ref ?? null),
          });
        aliasesOf(ev.data).forEach((id, ord) => {
          if (!aliases.has(id)) aliases.set(id, { id: pgText(id), case_id: ev.data.id, seq: ev.seq, ord });
        });
        break;
      }
      case 'video_alert.created':
      case 'video_alert.updated':
        alerts.set(ev.data.id, alertRow(ev.data, ev.seq));
        break;
      case 'operation.activated':
      case 'operation.updated':
      case 'operation.stood_down':
        operations.set(ev.data.id, operationRow(ev.data, ev.seq));
        for (const t of ev.data.tasks) putTask(ev.data.id, t, ev.seq);
        break;
      case 'task.updated': {
        const { operationId, ...task } = ev.data;
        putTask(operationId, task, ev.seq);
        break;
      }
      case 'dispatch.created':
        if (!dispatches.has(ev.data.id)) dispatches.set(ev.data.id, dispatchRow(ev.data, ev.seq));
        break;
      case 'report.created':
        if (!reports.has(ev.data.id))
          reports.set(ev.data.id, {
            id: ev.data.id,
            incident_id: ev.data.incidentId,
            text: pgText(ev.data.text),
            actor: pgText(ev.data.actor ?? null),
            at: ev.data.at,
            seq: ev.seq,
          });
        break;
      case 'resource.updated':
        resources.push({
          seq: ev.seq,
          resource_id: ev.data.id,
          status: ev.data.status,
          at: ev.data.updatedAt ?? ev.at,
          operation_id: ev.data.operationId ?? null,
          incident_id: ev.data.incidentId ?? null,
          actor: pgText(ev.actor ?? null),
        });
        break;
      case 'incident.archived':
        archived.cases.set(ev.data.id, ev.at);
        break;
      case 'video_alert.archived':
        archived.video_alerts.set(ev.data.id, ev.at);
        break;
      case 'operation.archived':
        archived.operations.set(ev.data.id, ev.at);
        break;
      case 'kpi_report.created':
        if (!kpiReports.has(ev.data.id)) kpiReports.set(ev.data.id, kpiReportRow(ev.data, ev.seq));
        break;
      case 'footage_request.created':
      case 'footage_request.updated':
        footage.set(ev.data.id, footageRow(ev.data, ev.seq));
        break;
      case 'warning.issued':
      case 'warning.updated':
      case 'warning.cancelled':
      case 'warning.expired':
        warnings.set(ev.data.id, warningRow(ev.data, ev.seq));
        break;
      case 'mode.changed':
        modes.push({
          seq: ev.seq,
          state: ev.data.state,
          at: ev.at,
          actor: pgText(ev.actor ?? null),
          reason: pgText(ev.data.reason ?? null),
        });
        break;
      default:
        break;
    }
  }
  for (const rows of chunks([...cases.values()])) {
    await trx
      .insertInto('cases')
      .values(rows.map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            category: eb.ref('excluded.category'),
            title: eb.ref('excluded.title'),
            description: eb.ref('excluded.description'),
            address: eb.ref('excluded.address'),
            status: eb.ref('excluded.status'),
            severity: eb.ref('excluded.severity'),
            street_id: eb.ref('excluded.street_id'),
            community_id: eb.ref('excluded.community_id'),
            created_at: eb.ref('excluded.created_at'),
            updated_at: eb.ref('excluded.updated_at'),
            closed_at: sql`case when excluded.status = 'closed' then coalesce(cases.closed_at, excluded.closed_at) end`,
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('cases.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
  }
  if (!opts.without?.includes('case_facts')) await upsertCaseFacts(trx, [...facts.values()]);
  for (const rows of chunks([...operations.values()])) {
    await trx
      .insertInto('operations')
      .values(rows.map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            incident_id: eb.ref('excluded.incident_id'),
            plan_id: eb.ref('excluded.plan_id'),
            status: eb.ref('excluded.status'),
            activated_at: eb.ref('excluded.activated_at'),
            stood_down_at: eb.ref('excluded.stood_down_at'),
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('operations.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
  }
  for (const rows of chunks([...alerts.values()])) {
    await trx
      .insertInto('video_alerts')
      .values(rows.map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            camera_id: eb.ref('excluded.camera_id'),
            incident_id: eb.ref('excluded.incident_id'),
            created_at: eb.ref('excluded.created_at'),
            updated_at: eb.ref('excluded.updated_at'),
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('video_alerts.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
  }
  for (const rows of chunks([...tasks.values()])) {
    await trx
      .insertInto('tasks')
      .values(rows.map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .columns(['operation_id', 'task_id'])
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            due_at: eb.ref('excluded.due_at'),
            done_at: eb.ref('excluded.done_at'),
            overdue: eb.ref('excluded.overdue'),
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('tasks.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
  }
  for (const rows of chunks(history))
    await trx
      .insertInto('case_history')
      .values(rows)
      .onConflict((oc) => oc.columns(['case_id', 'seq']).doNothing())
      .execute();
  for (const rows of chunks([...aliases.values()]))
    await trx
      .insertInto('case_aliases')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  for (const rows of chunks([...dispatches.values()]))
    await trx
      .insertInto('dispatches')
      .values(rows.map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  for (const rows of chunks([...reports.values()]))
    await trx
      .insertInto('field_reports')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  for (const rows of chunks(resources))
    await trx
      .insertInto('resource_status')
      .values(rows)
      .onConflict((oc) => oc.column('seq').doNothing())
      .execute();
  for (const rows of chunks(modes))
    await trx
      .insertInto('mode_changes')
      .values(rows)
      .onConflict((oc) => oc.column('seq').doNothing())
      .execute();
  if (!opts.without?.includes('kpi_reports')) await writeKpiReports(trx, kpiReports.values());
  if (!opts.without?.includes('warnings')) await writeWarnings(trx, warnings.values());
  if (!opts.without?.includes('footage_requests')) await writeFootageRequests(trx, footage.values());
  // After the upserts, which never touch archived_at: the first archiving is the one kept.
  for (const table of ['cases', 'video_alerts', 'operations'] as const) {
    for (const [id, at] of archived[table])
      await trx
        .updateTable(table)
        .set({ archived_at: at })
        .where('id', '=', id)
        .where('archived_at', 'is', null)
        .execute();
  }
}

function caseRow(inc: Incident, seq: number): CasesTable {
  return {
    id: inc.id,
    kind: inc.kind,
    category: inc.category,
    title: pgText(inc.title),
    description: pgText(inc.description ?? null),
    address: pgText(inc.address ?? null),
    status: inc.status,
    severity: inc.severity,
    street_id: inc.streetId ?? null,
    community_id: inc.communityId ?? null,
    created_at: inc.createdAt,
    updated_at: inc.updatedAt,
    closed_at: null,
    archived_at: null,
    last_seq: seq,
    data: inc,
  };
}

function operationRow(op: Operation, seq: number): OperationsTable {
  return {
    id: op.id,
    incident_id: op.incidentId,
    plan_id: op.planId,
    status: op.status,
    activated_at: op.activatedAt,
    stood_down_at: op.stoodDownAt ?? null,
    archived_at: null,
    last_seq: seq,
    data: op,
  };
}

function alertRow(a: VideoAlert, seq: number): VideoAlertsTable {
  return {
    id: a.id,
    status: a.status,
    camera_id: a.cameraId,
    incident_id: a.incidentId ?? null,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    archived_at: null,
    last_seq: seq,
    data: a,
  };
}

function taskRow(operationId: string, t: OperationTask, seq: number): TasksTable {
  return {
    operation_id: operationId,
    task_id: t.id,
    status: t.status,
    due_at: t.dueAt,
    done_at: t.doneAt ?? null,
    overdue: t.overdue,
    last_seq: seq,
    data: t,
  };
}

function dispatchRow(d: Dispatch, seq: number): DispatchesTable {
  return {
    id: d.id,
    resource_id: d.resourceId,
    incident_id: d.incidentId,
    operation_id: d.operationId ?? null,
    at: d.at,
    actor: pgText(d.actor ?? null),
    seq,
    data: d,
  };
}
