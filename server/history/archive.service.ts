import { caseEnded } from '../../shared/case.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Operation } from '../../shared/operation.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';
import type { HistoryDb } from './db.ts';
import type { HistoryRepository } from './history.repository.ts';
import { databaseProjectedSeq, projectedVersions } from './projected-versions.ts';
import type { CommitPlan, EventStore } from '../log/event-store.ts';
import type { HotSet, StateRepository } from '../log/state.repository.ts';
import { DomainError } from '../infra/domain-errors.ts';

export const ARCHIVE_ACTOR = 'system:archive';
/** Items (hash entries deleted) per commit: one commit stays short beside live traffic. */
export const ARCHIVE_BATCH = 200;
/** A database that neither answers nor errs (stopped) must not hold a sweep for ever. */
const DB_TIMEOUT_MS = 5_000;
/** How long a sweep waits for the projector to reach the seq it read the working set at. */
const CATCH_UP_MS = 5_000;
/** Past this many conflicts in one sweep another sweep is at work: leave the rest to the next run. */
const MAX_CONFLICTS = 3;
const HISTORY_RETRY_AFTER_S = 2;

function within<T>(p: Promise<T>, ms = DB_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export type SweepResult = {
  outcome: 'archived' | 'nothing' | 'history_unavailable' | 'history_behind';
  incidents: number;
  videoAlerts: number;
  operations: number;
  /** Items another writer changed (or archived) between the read and the commit. */
  conflicts: number;
};

/** One archived item and everything that leaves Redis with it, committed together or not at all. */
type Group = {
  kind: 'incident' | 'video_alert' | 'operation';
  id: string;
  expect: NonNullable<CommitPlan['expect']>;
  del: NonNullable<CommitPlan['del']>;
  put: NonNullable<CommitPlan['put']>;
  geoRem: string[];
  event: PendingEvent;
};
const size = (g: Group) => g.del.length;

/**
 * The archive sweep: finished items leave the working set (Redis) through the one write path, once
 * the database holds their current version, so Redis and the snapshot stay the size of what is
 * live while the history grows in PostgreSQL.
 *
 * What leaves, ARCHIVE_AFTER_MS after it finished: closed incidents with their field reports, the
 * aliases of their merged reports and their dispatches outside operations; dismissed alerts and
 * confirmed ones whose incident is no longer open; stood-down operations with their dispatches.
 * Each item is deleted by a commit that expects the version the sweep read and carries its
 * `*.archived` event, so an item that changed meanwhile stays, a second sweep running at once
 * (another worker) archives nothing twice, and replaying the log drops what the sweep dropped.
 */
export class ArchiveService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    private readonly db: HistoryDb,
    private readonly afterMs: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async sweep(): Promise<SweepResult> {
    const now = this.clock().getTime();
    const hot = await this.state.hotSet(now - this.afterMs);
    const done = { incidents: 0, videoAlerts: 0, operations: 0, conflicts: 0 };
    const candidates = this.candidates(hot, now);
    if (candidates.length === 0) return { outcome: 'nothing', ...done };

    // Only what the database holds leaves: every item read is a version committed at or below
    // hot.seq, so a database projected through hot.seq holds them all (and cases/operations are
    // checked row by row as well). No answer, an error or a database behind: nothing leaves.
    let groups: Group[];
    try {
      if (!(await this.caughtUp(hot.seq))) return { outcome: 'history_behind', ...done };
      const [cases, ops, alerts] = await Promise.all([
        within(projectedVersions(this.db, 'cases', idsOf(candidates, 'incident'))),
        within(projectedVersions(this.db, 'operations', idsOf(candidates, 'operation'))),
        within(projectedVersions(this.db, 'video_alerts', idsOf(candidates, 'video_alert'))),
      ]);
      groups = candidates.filter((g) => {
        const v = g.expect[0].version;
        if (g.kind === 'incident') return cases.get(g.id) === v;
        if (g.kind === 'operation') return ops.get(g.id) === v;
        return alerts.get(g.id) === v;
      });
    } catch {
      return { outcome: 'history_unavailable', ...done };
    }

    for (const batch of batches(groups)) {
      let pending = batch;
      while (pending.length > 0 && done.conflicts < MAX_CONFLICTS) {
        const res = await this.store.commit(plan(pending), this.clock());
        if (res.status === 'ok') {
          for (const g of pending) {
            if (g.kind === 'incident') done.incidents++;
            else if (g.kind === 'operation') done.operations++;
            else done.videoAlerts++;
          }
          break;
        }
        if (res.status === 'duplicate') break; // no idempotency key here; cannot happen
        // One item changed or is gone: drop its group, commit the others. Ids are unique across
        // hashes (INC-, VA-, OP-, DSP-, RPT- …), so the id names the group.
        done.conflicts++;
        pending = pending.filter((g) => !g.expect.some((e) => e.id === res.id));
      }
      if (done.conflicts >= MAX_CONFLICTS) break;
    }
    const total = done.incidents + done.videoAlerts + done.operations;
    return { outcome: total > 0 ? 'archived' : 'nothing', ...done };
  }

  /** The database's own cursor reaches `seq` (waiting briefly: under load it trails by a batch). */
  private async caughtUp(seq: number): Promise<boolean> {
    const end = Date.now() + CATCH_UP_MS;
    for (;;) {
      if ((await within(databaseProjectedSeq(this.db))) >= seq) return true;
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private candidates(hot: HotSet, now: number): Group[] {
    const old = (at: string | null | undefined) =>
      typeof at === 'string' && now - Date.parse(at) >= this.afterMs;
    const incidents = hot.incidents.filter((i) => caseEnded(i.status) && old(i.updatedAt));
    const operations = hot.operations.filter((o) => o.status === 'stood_down' && old(o.stoodDownAt));
    const goingInc = new Set(incidents.map((i) => i.id));
    const goingOp = new Set(operations.map((o) => o.id));
    const heldOp = hot.heldOperationIds;
    const open = hot.openIncidentIds;

    const groups = new Map<string, Group>();
    for (const inc of incidents) groups.set(inc.id, incidentGroup(inc));
    for (const op of operations) groups.set(op.id, operationGroup(op));
    for (const a of hot.videoAlerts) {
      const finished =
        a.status === 'dismissed' ||
        (a.status === 'confirmed' && (a.incidentId === null || !open.has(a.incidentId)));
      if (finished && old(a.updatedAt)) groups.set(a.id, alertGroup(a));
    }
    // What goes with them. A dispatch of an operation goes with the operation; one outside any
    // (still held) operation goes with its incident.
    for (const d of hot.dispatches) {
      const owner =
        d.operationId !== null && goingOp.has(d.operationId)
          ? d.operationId
          : goingInc.has(d.incidentId) && (d.operationId === null || !heldOp.has(d.operationId))
            ? d.incidentId
            : null;
      const g = owner === null ? undefined : groups.get(owner);
      if (!g) continue;
      g.expect.push({ hash: 'dispatches', id: d.id, version: d.version });
      g.del.push({ hash: 'dispatches', id: d.id });
    }
    for (const r of hot.reports) {
      if (!goingInc.has(r.incidentId)) continue;
      const g = groups.get(r.incidentId)!;
      g.expect.push({ hash: 'reports', id: r.id, version: r.version });
      g.del.push({ hash: 'reports', id: r.id });
    }
    for (const [alias, caseId] of hot.aliases) {
      if (!goingInc.has(caseId)) continue;
      const g = groups.get(caseId)!;
      g.del.push({ hash: 'aliases', id: alias });
      // A merged report's id may be sent again (its 7-day idempotency key long gone): the tombstone
      // keeps it from becoming a new incident, and still resolves it to its case.
      g.put.push({ hash: 'tombstones', id: alias, value: caseId });
    }
    return [...groups.values()];
  }
}

function incidentGroup(inc: Incident): Group {
  return {
    kind: 'incident',
    id: inc.id,
    expect: [{ hash: 'incidents', id: inc.id, version: inc.version }],
    del: [{ hash: 'incidents', id: inc.id }],
    // Only ids a sender can send again need one: those derived from an externalId.
    put: inc.externalId ? [{ hash: 'tombstones', id: inc.id, value: inc.id }] : [],
    geoRem: [inc.id],
    event: { type: 'incident.archived', actor: ARCHIVE_ACTOR, data: { id: inc.id } },
  };
}

function operationGroup(op: Operation): Group {
  return {
    kind: 'operation',
    id: op.id,
    expect: [{ hash: 'operations', id: op.id, version: op.version }],
    del: [{ hash: 'operations', id: op.id }],
    put: [],
    geoRem: [],
    event: { type: 'operation.archived', actor: ARCHIVE_ACTOR, data: { id: op.id } },
  };
}

function alertGroup(a: VideoAlert): Group {
  return {
    kind: 'video_alert',
    id: a.id,
    expect: [{ hash: 'videoAlerts', id: a.id, version: a.version }],
    del: [{ hash: 'videoAlerts', id: a.id }],
    put: a.externalId ? [{ hash: 'tombstones', id: a.id, value: a.id }] : [],
    geoRem: [],
    event: { type: 'video_alert.archived', actor: ARCHIVE_ACTOR, data: { id: a.id } },
  };
}

const idsOf = (groups: Group[], kind: Group['kind']) =>
  groups.filter((g) => g.kind === kind).map((g) => g.id);

/** Groups into commits of at most ARCHIVE_BATCH items; a bigger group is a commit of its own. */
function batches(groups: Group[]): Group[][] {
  const out: Group[][] = [];
  let cur: Group[] = [];
  let n = 0;
  for (const g of groups) {
    if (cur.length > 0 && n + size(g) > ARCHIVE_BATCH) {
      out.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(g);
    n += size(g);
  }
  if (cur.length) out.push(cur);
  return out;
}

function plan(groups: Group[]): CommitPlan {
  return {
    expect: groups.flatMap((g) => g.expect),
    del: groups.flatMap((g) => g.del),
    put: groups.flatMap((g) => g.put),
    geoRem: groups.flatMap((g) => g.geoRem),
    events: groups.map((g) => g.event),
  };
}

/**
 * Archived items for commands: what left Redis is looked up in the database, so a command on it
 * answers as on the finished item (409), an id never seen stays 404, and a database that does
 * not answer is a 503 with Retry-After, never a 500.
 */
export class ArchivedRecords {
  constructor(
    private readonly history: HistoryRepository,
    private readonly db: HistoryDb,
  ) {}

  incident(id: string): Promise<Incident | null> {
    return fromHistory(() => this.history.getCase(id));
  }
  operation(id: string): Promise<Operation | null> {
    return fromHistory(() => this.history.getOperation(id));
  }
  videoAlert(id: string): Promise<VideoAlert | null> {
    return fromHistory(() => this.history.getVideoAlert(id));
  }
}

async function fromHistory<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await within(read());
  } catch {
    throw new DomainError(
      503,
      'unavailable',
      'the history database does not answer; try again shortly',
      undefined,
      HISTORY_RETRY_AFTER_S,
    );
  }
}
