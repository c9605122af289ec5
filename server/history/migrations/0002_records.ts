import { sql, type Kysely, type Transaction } from 'kysely';
import type { HistoryTables } from '../db.ts';
import { LATER_READ_MODELS } from '../read-models.ts';
import { projectEvents } from '../rebuild.ts';

/**
 * The record side of history (issue 9): what an incident no longer carries (its history, every
 * merged report id) and the entities that leave Redis once archived (video alerts, tasks,
 * dispatches, field reports, each resource's status changes). `archived_at` marks a row whose
 * entity Redis no longer holds; the row stays. Events already in `events` (a database from before
 * this migration) are run through the projection once more at the end, which fills the new tables
 * and leaves the old ones as they were. Kysely runs a migration in one transaction on PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_history')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('note', 'text')
    .addColumn('ref', 'text')
    .addPrimaryKeyConstraint('case_history_pk', ['case_id', 'seq'])
    .execute();

  // A merged report's id → the case it joined; `seq`, `ord` keep the order it joined in.
  await db.schema
    .createTable('case_aliases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('ord', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('case_aliases_case')
    .on('case_aliases')
    .columns(['case_id', 'seq', 'ord'])
    .execute();

  await db.schema
    .createTable('video_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('archived_at', 'timestamptz')
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  await sql`create index video_alerts_created on video_alerts (created_at desc)`.execute(db);
  await db.schema.createIndex('video_alerts_incident').on('video_alerts').column('incident_id').execute();

  await db.schema
    .createTable('tasks')
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz')
    .addColumn('overdue', 'boolean', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('tasks_pk', ['operation_id', 'task_id'])
    .execute();

  await db.schema
    .createTable('dispatches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dispatches_incident').on('dispatches').column('incident_id').execute();
  await db.schema.createIndex('dispatches_operation').on('dispatches').column('operation_id').execute();

  await db.schema
    .createTable('field_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('field_reports_incident')
    .on('field_reports')
    .columns(['incident_id', 'seq'])
    .execute();

  // Append-only: one row per resource.updated event.
  await db.schema
    .createTable('resource_status')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('operation_id', 'text')
    .addColumn('incident_id', 'text')
    .addColumn('actor', 'text')
    .execute();
  await db.schema
    .createIndex('resource_status_resource')
    .on('resource_status')
    .columns(['resource_id', 'seq'])
    .execute();

  for (const t of ['cases', 'operations'])
    await sql`alter table ${sql.id(t)} add column archived_at timestamptz`.execute(db);

  // Replay: an entity's latest event at or before a seq is one index descent (replay.repository.ts);
  // its `*.archived` event counts, as the end of it.
  await sql`create index events_entity_seq on events ((split_part(type, '.', 1)), (data->>'id'), seq desc)
    where type in ('incident.created', 'incident.updated', 'incident.archived', 'video_alert.created',
      'video_alert.updated', 'video_alert.archived', 'operation.activated', 'operation.updated',
      'operation.stood_down', 'operation.archived', 'resource.updated', 'mode.changed')`.execute(db);

  // The read models of later migrations do not exist yet: each of those fills its own.
  await projectEvents(db as unknown as Transaction<HistoryTables>, 5000, undefined, {
    without: LATER_READ_MODELS,
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists events_entity_seq`.execute(db);
  for (const t of ['cases', 'operations'])
    await sql`alter table ${sql.id(t)} drop column if exists archived_at`.execute(db);
  for (const t of [
    'resource_status',
    'field_reports',
    'dispatches',
    'tasks',
    'video_alerts',
    'case_aliases',
    'case_history',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}
