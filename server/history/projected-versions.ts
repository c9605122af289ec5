import { sql } from 'kysely';
import type { HistoryDb } from './db.ts';

/**
 * What the database already holds, asked before anything leaves Redis: the archive sweep deletes
 * an item from the working set only once its current version is projected (never on a guess, so
 * a database that is down or behind means nothing is archived).
 */

/** The projector's cursor as the database itself records it (0 when it never projected). */
export async function databaseProjectedSeq(db: HistoryDb, name = 'main'): Promise<number> {
  const row = await db.selectFrom('projection').select('seq').where('name', '=', name).executeTakeFirst();
  return row?.seq ?? 0;
}

/**
 * The version each row of `cases`, `operations` or `video_alerts` holds (`data.version`, the entity as its last
 * projected event left it); an id without a row is absent from the map.
 */
export async function projectedVersions(
  db: HistoryDb,
  table: 'cases' | 'operations' | 'video_alerts',
  ids: readonly string[],
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .select(['id', sql<string>`data->>'version'`.as('version')])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.version)]));
}
