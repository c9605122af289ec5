import { sql } from 'kysely';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { HistoryDb } from './db.ts';

/** The event types whose `data` is a whole entity: the latest one per entity is its state. */
export const ENTITY_TYPES = [
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
/** An entity's last event when it left the working set (Redis, and so the snapshot). */
const ARCHIVED_TYPES = ['incident.archived', 'video_alert.archived', 'operation.archived'] as const;
/** `events_entity_seq` (migration 0002) is partial on exactly these types: the query repeats them. */
const INDEXED = sql.join([...ENTITY_TYPES, ...ARCHIVED_TYPES].map((t) => sql.lit(t)));
/**
 * Events are stamped by the committing process (its `now`, taken before the commit); a later seq
 * may carry a slightly earlier time, and an entity's created_at a slightly later one than its
 * first event. Clocks and commits a little apart stay well within this.
 */
const CLOCK_SLACK = sql.lit('10 seconds');

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
    // max(seq) over every event at or before `at` reads all of them (half the log for a moment
    // in the middle). The latest such event is one descent of `events_at`; an event with a
    // higher seq committed after it, so its time is at most the clock slack earlier: the max
    // over that narrow window is the same answer.
    // (Materialized: as a plain max(seq) the planner would walk the primary key back instead.)
    const { rows } = await sql<{ seq: number | null }>`
      with recent as materialized (
        select seq from events
        where at <= ${at}::timestamptz
          and at >= (select at from events where at <= ${at}::timestamptz order by at desc limit 1)
            - interval ${CLOCK_SLACK}
      )
      select max(seq) as seq from recent`.execute(this.db);
    return rows[0]?.seq == null ? 0 : Number(rows[0].seq);
  }

  /**
   * Per entity (kind and id), its latest event with seq ≤ `seq`. Every such event carries the
   * whole entity (task.updated is always followed by the operation.updated holding it), so
   * these events are the state. Kinds: incident, video_alert, operation, resource, mode.
   * Incidents and alerts that were closed or dismissed before `finishedBefore` are left out in
   * the database (the snapshot leaves them out too), so the answer does not grow with old cases;
   * so are entities archived at or before `seq` (Redis no longer held them).
   *
   * Fast at any size of the log: the read models name the candidates (cases and alerts that
   * existed by then and were not finished long before, every operation, every resource that ever
   * changed, the mode), and each one's latest event ≤ `seq` is one descent of `events_entity_seq`.
   * The candidates are a superset: an entity with no event ≤ `seq` simply yields no row.
   */
  async latestPerEntity(seq: number, finishedBefore?: string): Promise<LiveEvent[]> {
    if (seq <= 0) return [];
    const fb = finishedBefore ?? null;
    const { rows } = await sql<Row>`
      with recursive cut as (
        select at + interval ${CLOCK_SLACK} as until from events where seq = ${seq}
      ), resource_ids as (
        (select resource_id as id from resource_status order by resource_id limit 1)
        union all
        select (select s.resource_id from resource_status s where s.resource_id > r.id order by s.resource_id limit 1)
        from resource_ids r where r.id is not null
      ), candidates (kind, id) as (
        select 'incident', id from cases, cut
          where created_at <= cut.until
            and (${fb}::timestamptz is null or status <> 'closed' or updated_at >= ${fb}::timestamptz)
        union all
        select 'video_alert', id from video_alerts, cut
          where created_at <= cut.until
            and (${fb}::timestamptz is null or status <> 'dismissed' or updated_at >= ${fb}::timestamptz)
        union all
        select 'operation', id from operations, cut where activated_at <= cut.until
        union all
        select 'resource', id from resource_ids where id is not null
        union all
        select 'mode', 'mode'
      )
      select e.seq, e.type, e.at, e.actor, e.data
      from candidates c
      cross join lateral (
        select seq, type, at, actor, data from events
        where split_part(type, '.', 1) = c.kind and data->>'id' = c.id and seq <= ${seq}
          and type in (${INDEXED})
        order by seq desc
        limit 1
      ) e
      where e.type not like '%.archived'
        and (${fb}::timestamptz is null
          or c.kind not in ('incident', 'video_alert')
          or e.data->>'status' not in ('closed', 'dismissed')
          or (e.data->>'updatedAt')::timestamptz >= ${fb}::timestamptz)`.execute(this.db);
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
