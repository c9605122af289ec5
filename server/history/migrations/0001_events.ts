import { sql, type Kysely } from 'kysely';

/**
 * The append-only log (seq as primary key: an event can be written once), the projector's cursor,
 * and the first read models. Read models hold the latest entity as `data` plus the columns the
 * product filters and sorts on; `last_seq` is the event that last wrote the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  // The audit trail filters by actor, type and time, newest first.
  await db.schema.createIndex('events_actor_seq').on('events').columns(['actor', 'seq']).execute();
  await db.schema.createIndex('events_type_seq').on('events').columns(['type', 'seq']).execute();
  await db.schema.createIndex('events_at').on('events').column('at').execute();

  await db.schema
    .createTable('projection')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('address', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('street_id', 'text')
    .addColumn('community_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  // Keyset paging newest first, and the filters of GET /api/v1/cases.
  await sql`create index cases_created on cases (created_at desc, id desc)`.execute(db);
  await sql`create index cases_status_created on cases (status, created_at desc)`.execute(db);
  await sql`create index cases_category_created on cases (category, created_at desc)`.execute(db);
  await sql`create index cases_street_created on cases (street_id, created_at desc)`.execute(db);
  // Trigrams work on any script, Chinese included (there is no Chinese tokenizer by default).
  for (const col of ['title', 'address', 'description'])
    await sql`create index ${sql.id(`cases_${col}_trgm`)} on cases using gin (${sql.id(col)} gin_trgm_ops)`.execute(
      db,
    );

  await db.schema
    .createTable('operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stood_down_at', 'timestamptz')
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operations_incident').on('operations').column('incident_id').execute();
  await sql`create index operations_activated on operations (activated_at desc)`.execute(db);

  await db.schema
    .createTable('mode_changes')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('reason', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['mode_changes', 'operations', 'cases', 'projection', 'events'])
    await db.schema.dropTable(t).ifExists().execute();
}
