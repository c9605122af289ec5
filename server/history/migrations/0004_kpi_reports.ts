import { sql, type Kysely } from 'kysely';

/**
 * KPI reports (`kpi_report.created`): one row per report, its whole figures in `data` (the
 * KpiReport as generated), the window and the kind as columns for the list. Reports are
 * immutable: a report is its figures as of `created_at`, so the row is written once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kpi_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from', 'timestamptz', (c) => c.notNull())
    .addColumn('to', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  // The list is newest first.
  await sql`create index kpi_reports_created on kpi_reports (created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('kpi_reports').ifExists().execute();
}
