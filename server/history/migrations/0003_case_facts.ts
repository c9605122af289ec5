import { sql, type Kysely } from 'kysely';
import { backfillCaseFacts } from '../../cases/case-facts.repository.ts';
import type { HistoryTables } from '../db.ts';

/**
 * The KPI read model (issue 11): one narrow row per case with what the figures need
 * (`server/cases/case-facts.ts`), so a year of cases is counted and grouped by the database from
 * a table a fraction of the size of `cases` (whose rows carry the whole incident). Filled at once
 * from the `cases` rows already there (each case's latest version); Kysely runs a migration in one
 * transaction on PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_facts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('accepted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('street_id', 'text')
    .addColumn('department_id', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('voided', 'boolean', (c) => c.notNull())
    .addColumn('deferred', 'boolean', (c) => c.notNull())
    .addColumn('closed', 'boolean', (c) => c.notNull())
    .addColumn('ever_dispatched', 'boolean', (c) => c.notNull())
    .addColumn('ever_handled', 'boolean', (c) => c.notNull())
    .addColumn('handled_on_time', 'boolean', (c) => c.notNull())
    .addColumn('extended', 'boolean', (c) => c.notNull())
    .addColumn('closed_on_time', 'boolean', (c) => c.notNull())
    .addColumn('reworks', 'integer', (c) => c.notNull())
    .addColumn('current_due_at', 'timestamptz')
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
  // The window (district-wide), and a scoped user's own cases within it (kpi.repository.ts).
  await sql`create index case_facts_accepted on case_facts (accepted_at)`.execute(db);
  await sql`create index case_facts_street_accepted on case_facts (street_id, accepted_at)`.execute(db);
  await sql`create index case_facts_department_accepted on case_facts (department_id, accepted_at)`.execute(
    db,
  );

  await backfillCaseFacts(db as unknown as Kysely<HistoryTables>);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('case_facts').ifExists().execute();
}
