import { sql, type Transaction } from 'kysely';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { HistoryDb, HistoryTables } from './db.ts';
import { applyToReadModels, READ_MODEL_TABLES, type ProjectionOptions } from './read-models.ts';

/**
 * Rebuilds every read model from the `events` table through the same projection code the live
 * projector runs (`applyToReadModels`), in batches, all in one transaction: readers see the old
 * rows until the new ones are complete, and a failed rebuild changes nothing. The projector's
 * advisory lock is not needed: it only appends events newer than the ones replayed, and the
 * transaction's table locks make it wait until the rebuild commits.
 */
export async function rebuildReadModels(
  db: HistoryDb,
  opts: { batch?: number; log?: (msg: string) => void } = {},
): Promise<{ events: number }> {
  const batch = opts.batch ?? 2000;
  return db.transaction().execute(async (trx) => {
    // Lock the cursor row first: a projector commits events and read models together, so none
    // commits in the middle of the replay.
    await sql`lock table projection in exclusive mode`.execute(trx);
    await sql`truncate ${sql.join(READ_MODEL_TABLES.map((t) => sql.id(t)))}`.execute(trx);
    const total = await projectEvents(trx, batch, opts.log);
    return { events: total };
  });
}

/**
 * Runs every row of `events`, in seq order and in batches, through `applyToReadModels`. Used by
 * the rebuild (on emptied read models) and by a migration that adds read models (on the existing
 * ones, which the projection's `last_seq` guards and `do nothing` inserts leave as they are).
 */
export async function projectEvents(
  trx: Transaction<HistoryTables>,
  batch: number,
  log?: (msg: string) => void,
  opts: ProjectionOptions = {},
): Promise<number> {
  let after = 0;
  let total = 0;
  for (;;) {
    const rows = await trx
      .selectFrom('events')
      .select(['seq', 'type', 'at', 'actor', 'data'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(batch)
      .execute();
    if (rows.length === 0) break;
    const events = rows.map(
      (r) =>
        ({
          seq: r.seq,
          type: r.type,
          at: r.at instanceof Date ? r.at.toISOString() : r.at,
          ...(r.actor !== null ? { actor: r.actor } : {}),
          data: r.data,
        }) as LiveEvent,
    );
    await applyToReadModels(trx, events, opts);
    after = rows[rows.length - 1].seq;
    total += rows.length;
    log?.(`projected through seq ${after}`);
  }
  return total;
}
