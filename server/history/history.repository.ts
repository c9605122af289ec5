import { sql } from 'kysely';
import type { AuditQuery } from '../../shared/audit.ts';
import type { FieldReport, Incident, IncidentHistoryEntry } from '../../shared/incident.ts';
import type { Dispatch, Operation } from '../../shared/operation.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import { isWellFormed } from '../../shared/text.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { HistoryDb } from './db.ts';

/**
 * What the database holds of one case, read in one snapshot: its row, its history and merged ids
 * (oldest first), and the projected seq they are complete up to (the stream holds the rest).
 */
export type CaseRecordPart = {
  projectedSeq: number;
  incident: Incident | null;
  history: IncidentHistoryEntry[];
  mergedIds: string[];
};

export type AuditPage = { events: LiveEvent[]; nextBefore: number | null };
export type AuditFilter = {
  before?: number;
  actor?: string;
  type?: AuditQuery['type'];
  from?: string;
  to?: string;
  limit: number;
};

export type CaseSearch = {
  status?: string | string[];
  category?: string | string[];
  streetId?: string;
  /**
   * A peacetime case's responsible department (`data.departmentId`). No case has one until the
   * peacetime issue adds departments, so today any value matches nothing.
   */
  departmentId?: string;
  /**
   * `true`: cases with a step past due. No case has deadlines until the peacetime issue adds them,
   * so today `true` matches nothing and `false` (not overdue) matches every case.
   */
  overdue?: boolean;
  /** Created at or after. */
  from?: string;
  /** Created before. */
  to?: string;
  /** Substring of title, address or description, any script. */
  q?: string;
  cursor?: string;
  limit?: number;
};
export type CasePage = { items: Incident[]; nextCursor: string | null };

/** A cursor this repository did not give (or one tampered with): the route answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this server gave out');
  }
}

/** What `encodeCaseCursor` is given: `Date.prototype.toISOString` of a stored time. */
const CURSOR_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());
/** A row of `events` as the stream holds it (`at` as the ISO string the commit wrote). */
const toEvent = (r: { seq: number; type: string; at: Date | string; actor: string | null; data: unknown }) =>
  ({
    seq: r.seq,
    type: r.type,
    at: iso(r.at),
    ...(r.actor !== null ? { actor: r.actor } : {}),
    data: r.data,
  }) as LiveEvent;
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** ILIKE treats % _ and \ specially; a search for them means the characters themselves. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function encodeCaseCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCaseCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      if (!Number.isNaN(Date.parse(v[0]))) return { createdAt: v[0], id: v[1] };
    }
  } catch {
    // falls through
  }
  throw new InvalidCursorError();
}

type HistoryRow = {
  at: Date | string;
  action: string;
  actor: string | null;
  note: string | null;
  ref: string | null;
};
const toEntry = (r: HistoryRow): IncidentHistoryEntry => ({
  at: iso(r.at),
  action: r.action,
  ...(r.actor !== null ? { actor: r.actor } : {}),
  ...(r.note !== null ? { note: r.note } : {}),
  ...(r.ref !== null ? { ref: r.ref } : {}),
});

/** Reads of the history database: the record, whatever the stream still holds. */
export class HistoryRepository {
  constructor(
    private readonly db: HistoryDb,
    /** The projection whose cursor the read models are complete up to. */
    private readonly projection = 'main',
  ) {}

  /** The case a merged report's id joined, or null when no case has that alias. */
  async resolveAlias(id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('case_aliases')
      .select('case_id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.case_id ?? null;
  }

  /** Every history entry of a case, oldest first. */
  async caseHistory(caseId: string): Promise<IncidentHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('case_history')
      .select(['at', 'action', 'actor', 'note', 'ref'])
      .where('case_id', '=', caseId)
      .orderBy('seq')
      .execute();
    return rows.map(toEntry);
  }

  /** Every report id merged into a case, in the order they joined. */
  async mergedIds(caseId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('case_aliases')
      .select('id')
      .where('case_id', '=', caseId)
      .orderBy('seq')
      .orderBy('ord')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * The case's row, history and merged ids with the projected seq, in one repeatable-read
   * transaction: the projector writes read models and cursor together, so what is read here is
   * exactly the record up to that seq.
   */
  async caseRecord(caseId: string): Promise<CaseRecordPart> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const cursor = await trx
          .selectFrom('projection')
          .select('seq')
          .where('name', '=', this.projection)
          .executeTakeFirst();
        const repo = new HistoryRepository(trx, this.projection);
        const [incident, history, mergedIds] = [
          await repo.getCase(caseId),
          await repo.caseHistory(caseId),
          await repo.mergedIds(caseId),
        ];
        return { projectedSeq: cursor?.seq ?? 0, incident, history, mergedIds };
      });
  }

  /** The alert as its last event left it (archived or not), or null. */
  async getVideoAlert(id: string): Promise<VideoAlert | null> {
    const row = await this.db
      .selectFrom('video_alerts')
      .select('data')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (row.data as VideoAlert) : null;
  }

  /** The field reports filed on a case, oldest first. */
  async listReports(incidentId: string): Promise<FieldReport[]> {
    const rows = await this.db
      .selectFrom('field_reports')
      .select(['id', 'incident_id', 'text', 'actor', 'at'])
      .where('incident_id', '=', incidentId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      incidentId: r.incident_id,
      text: r.text,
      actor: r.actor ?? '',
      at: iso(r.at),
    }));
  }

  async getDispatch(id: string): Promise<Dispatch | null> {
    const row = await this.db.selectFrom('dispatches').select('data').where('id', '=', id).executeTakeFirst();
    return row ? (row.data as Dispatch) : null;
  }

  /**
   * The audit trail, newest first, as `GET /api/v1/audit` answers it: filters ANDed, `before`
   * exclusive, `from`/`to` inclusive; `nextBefore` is null when nothing older matches.
   */
  async auditPage(q: AuditFilter): Promise<AuditPage> {
    let query = this.db.selectFrom('events').select(['seq', 'type', 'at', 'actor', 'data']);
    if (q.before !== undefined) query = query.where('seq', '<', q.before);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.type?.length) query = query.where('type', 'in', q.type);
    if (q.from) query = query.where('at', '>=', q.from);
    if (q.to) query = query.where('at', '<=', q.to);
    const rows = await query
      .orderBy('seq', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = rows.slice(0, q.limit);
    return {
      events: page.map(toEvent),
      nextBefore: rows.length > q.limit ? page[page.length - 1].seq : null,
    };
  }

  /** Events with seq > `after`, in order, at most `limit` (the stream's `readAfter`, for any seq). */
  async eventsAfter(after: number, limit: number): Promise<LiveEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(['seq', 'type', 'at', 'actor', 'data'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  /** The operation as its last event left it, or null if it was never activated. */
  async getOperation(id: string): Promise<Operation | null> {
    const row = await this.db.selectFrom('operations').select('data').where('id', '=', id).executeTakeFirst();
    return row ? (row.data as Operation) : null;
  }

  /** The case as its last event left it, or null if it was never created. */
  async getCase(id: string): Promise<Incident | null> {
    const row = await this.db.selectFrom('cases').select('data').where('id', '=', id).executeTakeFirst();
    return row ? (row.data as Incident) : null;
  }

  /**
   * Every case ever, newest first, keyset-paged on (created_at, id). `q` is a substring match;
   * the pg_trgm GIN indexes serve it for three characters or more (shorter terms scan the rows
   * the other filters leave).
   */
  async searchCases(s: CaseSearch): Promise<CasePage> {
    const limit = s.limit ?? 50;
    let query = this.db.selectFrom('cases').select(['id', 'created_at', 'data']);
    const statuses = list(s.status);
    if (statuses.length) query = query.where('status', 'in', statuses);
    const categories = list(s.category);
    if (categories.length) query = query.where('category', 'in', categories);
    if (s.streetId) query = query.where('street_id', '=', s.streetId);
    // No column yet: departments arrive with the peacetime issue, which will add one (and an index).
    if (s.departmentId) query = query.where(sql<string>`data->>'departmentId'`, '=', s.departmentId);
    // No deadlines exist yet, so no case is overdue; the peacetime issue replaces this with its test.
    if (s.overdue === true) query = query.where(sql<boolean>`false`);
    if (s.from) query = query.where('created_at', '>=', s.from);
    if (s.to) query = query.where('created_at', '<', s.to);
    const term = s.q?.trim();
    if (term) {
      const pattern = `%${likeEscape(term)}%`;
      query = query.where((eb) =>
        eb.or([
          eb('title', 'ilike', pattern),
          eb('address', 'ilike', pattern),
          eb('description', 'ilike', pattern),
        ]),
      );
    }
    if (s.cursor) {
      const c = decodeCaseCursor(s.cursor);
      // decodeCaseCursor takes whatever Date.parse does ("1" is 2001) and any string as the id;
      // PostgreSQL is stricter (and a NUL is no text to it): a 500 for a forged cursor. Only the
      // shape encodeCaseCursor writes passes.
      if (!CURSOR_TIME.test(c.createdAt) || c.id.includes('\0') || !isWellFormed(c.id))
        throw new InvalidCursorError();
      query = query.where(sql<boolean>`(created_at, id) < (${c.createdAt}::timestamptz, ${c.id})`);
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => r.data as Incident),
      nextCursor: rows.length > limit ? encodeCaseCursor(iso(last.created_at), last.id) : null,
    };
  }
}
