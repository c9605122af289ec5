import { sql, type Kysely } from 'kysely';

/**
 * Early warnings (CAP): `warnings`, a read model of the warning events (each thread's latest
 * version, `data` the whole Warning), and `warning_messages`, every CAP message as it came (its
 * bytes), by message. The messages are the record of what was received, not of events: the
 * projector copies them from Redis (`warningRaw`) as it projects the events that took them, and
 * a rebuild, which replays events only, leaves them as they are.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('warnings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('colour', 'text', (c) => c.notNull())
    .addColumn('onset', 'timestamptz', (c) => c.notNull())
    .addColumn('expires', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .execute();
  await sql`create index warnings_onset on warnings (onset desc)`.execute(db);
  await db.schema
    .createTable('warning_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('warning_id', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('raw', 'bytea', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`create index warning_messages_warning on warning_messages (warning_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('warning_messages').ifExists().execute();
  await db.schema.dropTable('warnings').ifExists().execute();
}
