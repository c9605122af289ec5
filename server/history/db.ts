import { Kysely, PostgresDialect } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import pg from 'pg';
import * as m0001 from './migrations/0001_events.ts';
import * as m0002 from './migrations/0002_records.ts';
import * as m0003 from './migrations/0003_case_facts.ts';
import * as m0004 from './migrations/0004_kpi_reports.ts';
import * as m0005 from './migrations/0005_warnings.ts';
import * as m0006 from './migrations/0006_footage.ts';

/** Columns as the database returns them (bigint as a JS number: seqs stay far below 2^53). */
export interface EventsTable {
  seq: number;
  type: string;
  at: Date | string;
  actor: string | null;
  data: unknown;
}
export interface ProjectionTable {
  name: string;
  seq: number;
}
export interface CasesTable {
  id: string;
  kind: string;
  category: string;
  title: string;
  description: string | null;
  address: string | null;
  status: string;
  severity: number;
  street_id: string | null;
  community_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  closed_at: Date | string | null;
  /** Set by `incident.archived`: Redis no longer holds the case; the row stays. */
  archived_at: Date | string | null;
  last_seq: number;
  data: unknown;
}
export interface OperationsTable {
  id: string;
  incident_id: string;
  plan_id: string;
  status: string;
  activated_at: Date | string;
  stood_down_at: Date | string | null;
  archived_at: Date | string | null;
  last_seq: number;
  data: unknown;
}
export interface ModeChangesTable {
  seq: number;
  state: string;
  at: Date | string;
  actor: string | null;
  reason: string | null;
}
/** One row per incident event: the history entry that version added (`lastAction`). */
export interface CaseHistoryTable {
  case_id: string;
  seq: number;
  at: Date | string;
  action: string;
  actor: string | null;
  note: string | null;
  ref: string | null;
}
/** A merged report's id → the case it joined, in the order it joined (`seq`, then `ord`). */
export interface CaseAliasesTable {
  id: string;
  case_id: string;
  seq: number;
  ord: number;
}
export interface VideoAlertsTable {
  id: string;
  status: string;
  camera_id: string;
  incident_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  archived_at: Date | string | null;
  last_seq: number;
  data: unknown;
}
export interface TasksTable {
  operation_id: string;
  task_id: string;
  status: string;
  due_at: Date | string;
  done_at: Date | string | null;
  overdue: boolean;
  last_seq: number;
  data: unknown;
}
export interface DispatchesTable {
  id: string;
  resource_id: string;
  incident_id: string;
  operation_id: string | null;
  at: Date | string;
  actor: string | null;
  seq: number;
  data: unknown;
}
export interface FieldReportsTable {
  id: string;
  incident_id: string;
  text: string;
  actor: string | null;
  at: Date | string;
  seq: number;
}
export interface ResourceStatusTable {
  seq: number;
  resource_id: string;
  status: string;
  at: Date | string;
  operation_id: string | null;
  incident_id: string | null;
  actor: string | null;
}
/** One row per case: what the KPI figures need (`server/cases/case-facts.ts`, migration 0003). */
export interface CaseFactsTable {
  id: string;
  /** When the case was accepted (`createdAt`): the KPI window selects on it. */
  accepted_at: Date | string;
  /** Its day, `YYYY-MM-DD` in Asia/Shanghai (`groupBy=day`), reckoned once when written rather than per query. */
  accepted_day: string;
  status: string;
  street_id: string | null;
  department_id: string | null;
  category: string;
  /** Now in that status. */
  voided: boolean;
  deferred: boolean;
  closed: boolean;
  ever_dispatched: boolean;
  ever_handled: boolean;
  handled_on_time: boolean;
  extended: boolean;
  closed_on_time: boolean;
  reworks: number;
  /**
   * The due time of the step the case is in, while it counts towards `overdueOpen` (neither
   * closed, voided nor deferred, that step unfinished); null otherwise. The case is overdue-open
   * at `now` exactly when `current_due_at < now`.
   */
  current_due_at: Date | string | null;
  last_seq: number;
}
/** One KPI report (`kpi_report.created`), written once; `data` is the whole KpiReport. */
export interface KpiReportsTable {
  id: string;
  kind: string;
  from: Date | string;
  to: Date | string;
  created_at: Date | string;
  created_by: string;
  seq: number;
  data: unknown;
}
/** A CAP warning (thread), its latest version (`warning.*`); `data` is the whole Warning. */
export interface WarningsTable {
  id: string;
  sender: string;
  identifier: string;
  status: string;
  state: string;
  colour: string;
  onset: Date | string;
  expires: Date | string;
  updated_at: Date | string;
  last_seq: number;
  data: unknown;
}
/** A CAP message as received (its bytes); not a read model: no rebuild touches it. */
export interface WarningMessagesTable {
  message_id: string;
  warning_id: string;
  sender: string;
  identifier: string;
  raw: Buffer;
  seq: number;
}
/** A footage request (`footage_request.*`), its latest version; `data` is the whole FootageRequest. */
export interface FootageRequestsTable {
  id: string;
  status: string;
  requested_at: Date | string;
  hours: number | null;
  last_seq: number;
  data: unknown;
}
export interface HistoryTables {
  events: EventsTable;
  projection: ProjectionTable;
  cases: CasesTable;
  operations: OperationsTable;
  mode_changes: ModeChangesTable;
  case_history: CaseHistoryTable;
  case_aliases: CaseAliasesTable;
  video_alerts: VideoAlertsTable;
  tasks: TasksTable;
  dispatches: DispatchesTable;
  field_reports: FieldReportsTable;
  resource_status: ResourceStatusTable;
  kpi_reports: KpiReportsTable;
  warnings: WarningsTable;
  warning_messages: WarningMessagesTable;
  footage_requests: FootageRequestsTable;
  case_facts: CaseFactsTable;
}
export type HistoryDb = Kysely<HistoryTables>;

/** Every migration, in order; new ones are appended, never edited once released. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_events': m0001,
  '0002_records': m0002,
  '0003_case_facts': m0003,
  '0004_kpi_reports': m0004,
  '0005_warnings': m0005,
  '0006_footage': m0006,
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

const INT8 = 20;
/** Per pool, not pg's global parsers: other pg users in the process keep theirs. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** `postgres://…` (a `?host=/dir` names a socket directory), or a bare socket directory. */
export function poolConfig(url: string): pg.PoolConfig {
  if (url.startsWith('/')) return { host: url, database: 'pingzhan' };
  return { connectionString: url };
}

export type History = {
  db: HistoryDb;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
};

export function openHistory(
  url: string,
  opts: { max?: number; onError?: (err: Error) => void } = {},
): History {
  // A connect that cannot succeed (database down or unreachable) fails within seconds rather than
  // holding a request until the client's own timeout.
  const pool = new pg.Pool({
    ...poolConfig(url),
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    types,
  });
  // An idle client dies when PostgreSQL restarts or terminates it; the pool drops it and makes
  // a new one on the next query. Without a listener that error would crash the process.
  pool.on('error', (err) => opts.onError?.(err));
  // A client checked out between two statements (inside a transaction) gets no pool listener:
  // its connection dying would then be an uncaught error. The query in flight fails anyway.
  pool.on('connect', (client) => client.on('error', (err) => opts.onError?.(err)));
  const db = new Kysely<HistoryTables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    async close() {
      await db.destroy(); // ends the pool too
    },
  };
}

/**
 * Brings the schema to the latest version. Kysely takes an advisory lock for the run, so several
 * processes starting at once migrate once.
 */
export async function migrate(db: HistoryDb): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** A connection of its own, outside the pool (the projector's advisory lock lives on one). */
export function newClient(url: string): pg.Client {
  return new pg.Client({ ...poolConfig(url), types });
}
