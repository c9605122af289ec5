import type { AfterActionRecord } from '../../shared/after-action.ts';
import type { AuditQuery } from '../../shared/audit.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { FieldReport, Incident, IncidentHistoryEntry, IncidentRecord } from '../../shared/incident.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import type { CaseRecordPart, HistoryRepository } from './history.repository.ts';
import { aliasesOf, entryOf } from './read-models.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import { computeAfterAction, OperationEventFilter, withActorNames } from '../commands/after-action.ts';
import { conflict, DomainError, notFound } from '../infra/domain-errors.ts';

const PAGE = 1000;
/** An audit request reads at most this many events before answering with a cursor to go on. */
const AUDIT_SCAN_LIMIT = 20_000;
/** Events are stamped by the committing process; allow for clocks a little apart. */
const CLOCK_SLACK_MS = 5_000;
const CACHE_SIZE = 50;
/** The history database did not answer: the record is there, just not reachable right now. */
const HISTORY_RETRY_AFTER_S = 2;

/**
 * How long a request waits on the database. A stopped (not dead) PostgreSQL neither answers nor
 * errs, and its connections stay open: without a bound the request would wait until it thaws.
 */
const HISTORY_READ_TIMEOUT_MS = 5_000;

/** Rejects when `p` has not settled within `ms` (the query itself goes on; its answer is dropped). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A failed or unanswered read of the database becomes a 503 with Retry-After, never a 500. */
async function fromHistory<T>(read: () => Promise<T>, ms = HISTORY_READ_TIMEOUT_MS): Promise<T> {
  try {
    return await within(read(), ms);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError(
      503,
      'unavailable',
      'the history database does not answer; try again shortly',
      undefined,
      HISTORY_RETRY_AFTER_S,
    );
  }
}

/**
 * Reads of the log as a record: the audit trail, incidents and the after-action records. The
 * stream holds the newest events (what is not yet in the database, and EVENT_RETENTION more);
 * the database holds every event up to `projectedSeq()`. Each read takes what it needs from the
 * stream and the rest from the database, so nothing depends on how far back the stream goes.
 */
export class RecordService {
  /** A stood-down operation's record never changes; keep the last few. */
  private readonly cache = new Map<string, AfterActionRecord>();

  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    private readonly history: HistoryRepository,
    /** The highest seq known to be in the database (the projector's cursor; 0: trust nothing). */
    private readonly projectedSeq: () => number,
    private readonly clock: () => Date = () => new Date(),
    /** Actor → display name (accounts, integrations), for the after-action record; none: raw actors. */
    private readonly displayNames: () => Promise<ReadonlyMap<string, string>> = async () => new Map(),
  ) {}

  /**
   * The case id `id` names: an incident's own id, or a merged report's (Redis aliases first, then
   * `case_aliases` for a case Redis no longer holds). `live` is the incident when Redis has it.
   */
  private async locate(id: string): Promise<{ caseId: string; live: Incident | null }> {
    const resolved = await this.state.resolveIncidentId(id);
    const live = await this.state.getIncident(resolved);
    if (live || resolved !== id) return { caseId: resolved, live };
    const viaDb = await fromHistory(() => this.history.resolveAlias(id));
    if (viaDb === null) return { caseId: id, live: null };
    return { caseId: viaDb, live: await this.state.getIncident(viaDb) };
  }

  /**
   * An incident with its whole record (`GET /api/v1/incidents/:id`): the entity from Redis (the
   * working set), else from `cases` (every case ever created); its history and every merged id
   * from the database up to the seq it has projected, and from the stream above that. A change
   * just made is therefore in the answer at once, and while the database lags or is down an
   * incident Redis holds still answers, with the history the stream holds.
   */
  async incident(id: string): Promise<IncidentRecord | null> {
    const { caseId, live } = await this.locate(id);
    for (let attempt = 0; ; attempt++) {
      let part: CaseRecordPart;
      try {
        part = await within(this.history.caseRecord(caseId), HISTORY_READ_TIMEOUT_MS);
      } catch (err) {
        if (!live) return fromHistory(() => Promise.reject(err));
        // Whatever the stream holds (what is not projected, and EVENT_RETENTION more): the
        // recent part of the record, the whole of it for a case that young.
        part = { projectedSeq: 0, incident: null, history: [], mergedIds: [] };
      }
      const entity = live ?? part.incident;
      if (!entity) return null;
      const recent = await this.caseEventsAfter(caseId, part.projectedSeq);
      // Trimmed past the database's seq between the two reads (a small EVENT_RETENTION): the
      // database holds those events now; read it again. (A database restored from an older
      // backup stays behind the stream: then the newest part is all there is.)
      if (recent.gap && part.projectedSeq > 0 && attempt === 0) continue;
      return toRecord(entity, part, recent.events);
    }
  }

  /**
   * The case's events in the stream with seq above `after` (what the database has not yet);
   * `gap` when the stream no longer reaches back to `after`.
   */
  private async caseEventsAfter(
    caseId: string,
    after: number,
  ): Promise<{ events: Incident[]; gap: boolean }> {
    const out: Incident[] = [];
    const head = await this.store.headSeq();
    const oldest = await this.store.oldestSeq();
    let from = Math.max(after, oldest - 1);
    while (from < head) {
      const page = await this.store.readAfter(from, PAGE);
      if (page.length === 0) break;
      for (const ev of page)
        if ((ev.type === 'incident.created' || ev.type === 'incident.updated') && ev.data.id === caseId)
          out.push(ev.data);
      from = page[page.length - 1].seq;
    }
    return { events: out, gap: oldest > after + 1 && head > after };
  }

  /** A video alert: Redis, else the database (an alert archived out of Redis), else null. */
  async videoAlert(id: string): Promise<VideoAlert | null> {
    return (await this.state.getVideoAlert(id)) ?? fromHistory(() => this.history.getVideoAlert(id));
  }

  /**
   * The field reports of a case, oldest first: Redis' while it holds the case (its reports leave
   * with it), else `field_reports`. 404 when no case has that id.
   */
  async reports(incidentId: string): Promise<FieldReport[]> {
    const { caseId, live } = await this.locate(incidentId);
    if (live) return this.state.listReports(caseId);
    return fromHistory(async () => {
      if (!(await this.history.getCase(caseId))) throw notFound(`incident ${incidentId}`);
      return this.history.listReports(caseId);
    });
  }

  /**
   * Events after `from`, in order: from the stream when it still holds `from + 1`, else from the
   * database (which then holds it: the stream is trimmed only below what is projected).
   */
  private async readAfter(from: number, count: number): Promise<LiveEvent[]> {
    if (from + 1 >= (await this.store.oldestSeq())) {
      const page = await this.store.readAfter(from, count);
      // Trimmed between the two reads: the database has those now.
      if (page.length === 0 || page[0].seq === from + 1) return page;
    }
    return fromHistory(() => this.history.eventsAfter(from, count));
  }

  /** The record of a stood-down operation, people shown by display name. */
  async afterAction(operationId: string): Promise<AfterActionRecord> {
    const record = await this.afterActionOf(operationId);
    return withActorNames(record, await this.displayNames());
  }

  private async afterActionOf(operationId: string): Promise<AfterActionRecord> {
    const hit = this.cache.get(operationId);
    if (hit) return hit;
    const op =
      (await this.state.getOperation(operationId)) ??
      (await fromHistory(() => this.history.getOperation(operationId)));
    if (!op) throw notFound(`operation ${operationId}`);
    if (op.status !== 'stood_down')
      throw conflict(`operation ${operationId} is still active; stand it down first`);
    let from = op.logFromSeq ?? 0;
    const filter = new OperationEventFilter(op.id);
    const timeline: LiveEvent[] = [];
    const head = await this.store.headSeq();
    while (!filter.done && from < head) {
      const page = await this.readAfter(from, PAGE);
      if (page.length === 0) break;
      for (const ev of page) if (filter.accept(ev)) timeline.push(ev);
      from = page[page.length - 1].seq;
    }
    if (!filter.done) throw new Error(`operation ${operationId}: stand-down event not found in the log`);
    const record = computeAfterAction(timeline, this.clock());
    this.cache.set(operationId, record);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return record;
  }

  /**
   * Newest first, one page merged from both stores: the stream for seq above what is projected
   * (read back from `before` until `limit` matches, the start of `from`, or the scan limit), then
   * the database below where the stream reading stopped, filtered there. `nextBefore` continues
   * exactly where this page stopped reading; pages go back to seq 1 whatever the retention.
   */
  async audit(q: AuditQuery): Promise<{ events: LiveEvent[]; nextBefore: number | null }> {
    type Page = { events: LiveEvent[]; nextBefore: number | null };
    const out: LiveEvent[] = [];
    const fromMs = q.from ? Date.parse(q.from) : null;
    const toMs = q.to ? Date.parse(q.to) : null;
    let cursor: number | null = q.before ?? null;
    let scanned = 0;
    /**
     * Reads the stream back from `cursor` over seq > `floor`: the finished page, or undefined when
     * it reached the floor or the stream's oldest entry with room left on the page.
     */
    const scan = async (floor: number): Promise<Page | undefined> => {
      for (;;) {
        if (cursor !== null && cursor <= floor + 1) return undefined;
        const page = await this.store.readBackwards(cursor, PAGE);
        if (page.length === 0) return undefined;
        for (const ev of page) {
          if (ev.seq <= floor) return undefined;
          cursor = ev.seq;
          scanned++;
          const at = Date.parse(ev.at);
          if (fromMs !== null && at < fromMs - CLOCK_SLACK_MS) return { events: out, nextBefore: null };
          const match =
            (!q.actor || ev.actor === q.actor) &&
            (!q.type || q.type.includes(ev.type)) &&
            (fromMs === null || at >= fromMs) &&
            (toMs === null || at <= toMs);
          if (match) out.push(ev);
          if (out.length >= q.limit || scanned >= AUDIT_SCAN_LIMIT)
            return { events: out, nextBefore: cursor > 1 ? cursor : null };
        }
        if (cursor !== null && cursor <= 1) return { events: out, nextBefore: null };
      }
    };
    // Read once: should the projector move on meanwhile (and trim), the stream part only stops
    // lower, at its oldest entry, and the database holds everything below that.
    const done = await scan(this.projectedSeq());
    if (done) return done;
    let page: Page;
    try {
      // The rest from the database, below the last seq the stream part looked at (or `before`).
      page = await within(
        this.history.auditPage({
          ...(cursor !== null ? { before: cursor } : {}),
          actor: q.actor,
          type: q.type,
          from: q.from,
          to: q.to,
          limit: q.limit - out.length,
        }),
        HISTORY_READ_TIMEOUT_MS,
      );
    } catch {
      // The database is down: the stream still holds what is not projected and EVENT_RETENTION
      // more, so recent pages still answer; only older ones must wait for it.
      const rest = await scan(0);
      if (rest) return rest;
      return fromHistory(() => Promise.reject(new Error('history unavailable')));
    }
    return { events: [...out, ...page.events], nextBefore: page.nextBefore };
  }
}

/** An incident as events before protocol v2 stored it: `history` whole, no `lastAction`. */
type IncidentV1 = Incident & { history?: IncidentHistoryEntry[] };

/**
 * The record of `entity` from the database's part and the case's newer events. Merged ids: the
 * database's (oldest), the stream's (newest), and the entity's latest ones neither has (a
 * database that did not answer): the entity's list and the stream's both end at the newest.
 */
function toRecord(entity: IncidentV1, part: CaseRecordPart, recent: IncidentV1[]): IncidentRecord {
  const history = [...part.history];
  const streamIds: string[] = [];
  for (const inc of recent) {
    const e = entryOf(inc);
    if (e) history.push(e);
    streamIds.push(...aliasesOf(inc));
  }
  const inStream = new Set(streamIds);
  const mergedIds = [
    ...new Set([
      ...part.mergedIds,
      ...(entity.mergedIds ?? []).filter((x) => !inStream.has(x)),
      ...streamIds,
    ]),
  ];
  const { history: _old, ...rest } = entity;
  const lastAction = entryOf(entity) ?? history.at(-1)!;
  return { ...rest, lastAction, mergedIds, history };
}
