import { sql } from 'kysely';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { HistoryDb } from './db.ts';

/** The event types whose `data` is a whole entity: the latest one per entity is its state. */
const ENTITY_TYPES = [
  'incident.created',
  'incident.updated',
  'video_alert.created',
  'video_alert.updated',
  'operation.activated',
  'operation.updated',
  'operation.stood_down',
  'resource.updated',
  'mode.changed',
] as const;

type Row = { seq: number; type: string; at: Date | string; actor: string | null; data: unknown };

const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());
const toEvent = (r: Row) =>
  ({
    seq: Number(r.seq),
    type: r.type,
    at: iso(r.at),
    ...(r.actor !== null ? { actor: r.actor } : {}),
    data: r.data,
  }) as LiveEvent;

/** Reads of the event log for replay: the state at a moment, and what happened after it. */
export class ReplayRepository {
  constructor(private readonly db: HistoryDb) {}

  /**
   * The last seq whose event happened at or before `at` (0 when none did). The cut is a seq, not
   * a time, so the state and the events after it split the log exactly: none twice, none lost,
   * even where a commit's events share one timestamp.
   */
  async seqAt(at: string): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('at', '<=', at)
      .executeTakeFirst();
    return row?.seq == null ? 0 : Number(row.seq);
  }

  /**
   * Per entity (kind and id), its latest event with seq ≤ `seq`. Every such event carries the
   * whole entity (task.updated is always followed by the operation.updated holding it), so
   * these events are the state. Kinds: incident, video_alert, operation, resource, mode.
   * Incidents and alerts that were closed or dismissed before `finishedBefore` are left out in
   * the database (the snapshot leaves them out too), so the answer does not grow with old cases.
   */
  async latestPerEntity(seq: number, finishedBefore?: string): Promise<LiveEvent[]> {
    const { rows } = await sql<Row>`
      select seq, type, at, actor, data from (
        select distinct on (split_part(type, '.', 1), data->>'id') seq, type, at, actor, data
        from events
        where seq <= ${seq} and type in (${sql.join(ENTITY_TYPES.map((t) => sql.lit(t)))})
        order by split_part(type, '.', 1), data->>'id', seq desc
      ) latest
      where ${finishedBefore ?? null}::timestamptz is null
        or split_part(type, '.', 1) not in ('incident', 'video_alert')
        or data->>'status' not in ('closed', 'dismissed')
        or (data->>'updatedAt')::timestamptz >= ${finishedBefore ?? null}::timestamptz`.execute(this.db);
    return rows.map(toEvent).sort((a, b) => a.seq - b.seq);
  }

  /** Up to `limit` events after `afterSeq` that happened at or before `to`, in seq order. */
  async eventsAfter(afterSeq: number, to: string, limit: number): Promise<LiveEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(['seq', 'type', 'at', 'actor', 'data'])
      .where('seq', '>', afterSeq)
      .where('at', '<=', to)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }
}
