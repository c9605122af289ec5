import { sql, type Kysely } from 'kysely';

/**
 * Footage retrieval for the police (`footage_request.*`): `footage_requests`, each request's
 * latest version (`data` the whole FootageRequest), projected once per seq (`last_seq` keeps an
 * older event from overwriting a newer row). Lists and totals over a period read it by
 * `requested_at`. No events of this kind existed before protocol v4: nothing to backfill.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('footage_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('hours', 'double precision')
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  await sql`create index footage_requests_requested on footage_requests (requested_at desc, id desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('footage_requests').ifExists().execute();
}
