import type {
  FootageCompleteInput,
  FootageDecisionInput,
  FootageList,
  FootageListQuery,
  FootageRequest,
  FootageRequestInput,
  FootageTotals,
} from '../../shared/footage.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { DomainError, notFound } from '../infra/domain-errors.ts';
import { newId } from '../infra/ids.ts';
import { commitWithRetry } from '../log/commit-retry.ts';
import type { EventStore } from '../log/event-store.ts';
import {
  act,
  isFinished,
  newRequest,
  totalsOf,
  type FootageAction,
  type FootageActor,
} from './footage-rules.ts';
import type { FootageRepository } from './footage.repository.ts';

/** How much of the stream above the projected seq a read looks through (the projector is ms behind). */
const UNPROJECTED_SCAN = 5_000;
const DEFAULT_PERIOD_MS = 30 * 24 * 3600 * 1000;
const HISTORY_RETRY_AFTER_S = 2;

/**
 * Footage retrieval for the police (调取录像). Each step is one commit with one event
 * (`footage_request.created` / `.updated`). An open request lives in Redis, where the commit
 * checks its version; the commit that finishes it (deny, complete) deletes it there, so the
 * working set holds open requests only while the record (`footage_requests`) keeps them all.
 * Reads are the record's plus the events in the stream above what it has projected, so an
 * answer includes the change just committed.
 */
export class FootageService {
  constructor(
    private readonly store: EventStore,
    private readonly repo: FootageRepository,
    private readonly knownCamera: (id: string) => boolean,
    /** The seq the database holds up to (the server's projector); null where none runs. */
    private readonly projectedSeq: (() => number) | null,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(input: FootageRequestInput, who: FootageActor): Promise<FootageRequest> {
    const now = this.clock();
    const r = newRequest(input, who, {
      id: newId('FTG'),
      now: now.toISOString(),
      knownCamera: this.knownCamera,
    });
    const res = await this.store.commit(
      {
        expect: [{ hash: 'footageRequests', id: r.id, version: null }],
        put: [{ hash: 'footageRequests', id: r.id, value: r }],
        events: [{ type: 'footage_request.created', actor: who.username, data: r }],
      },
      now,
    );
    if (res.status !== 'ok') throw new Error(`footage request ${r.id}: unexpected ${res.status}`);
    return r;
  }

  async act(
    id: string,
    action: FootageAction,
    input: FootageDecisionInput | FootageCompleteInput,
    who: FootageActor,
  ): Promise<FootageRequest> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const cur = await this.repo.open(id);
        if (!cur) {
          // Not open: finished (the rules answer 409, or 403 for a role without the right) or unknown.
          const done = await this.recorded(id);
          if (!done) throw notFound(`footage request ${id}`);
          act(done, action, input, who, now.toISOString());
          throw new Error(`footage request ${id} is ${done.status} but not in the working set`);
        }
        const next = act(cur, action, input, who, now.toISOString());
        const finished = isFinished(next.status);
        return {
          plan: {
            expect: [{ hash: 'footageRequests', id, version: cur.version }],
            ...(finished
              ? { del: [{ hash: 'footageRequests' as const, id }] }
              : { put: [{ hash: 'footageRequests' as const, id, value: next }] }),
            events: [{ type: 'footage_request.updated', actor: who.username, data: next }],
          },
          result: next,
        };
      },
      { clock: this.clock },
    );
    return result;
  }

  async get(id: string): Promise<FootageRequest> {
    const r = (await this.repo.open(id)) ?? (await this.recorded(id));
    if (!r) throw notFound(`footage request ${id}`);
    return r;
  }

  /** The requests made in [from, to) with their totals (default: the last 30 days). */
  async list(q: FootageListQuery): Promise<FootageList> {
    const to = q.to ? new Date(q.to) : this.clock();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_PERIOD_MS);
    if (!(from < to))
      throw new DomainError(400, 'invalid_request', 'to must be after from', [
        { path: 'from', message: 'from must be before to' },
      ]);
    const items = await this.between(from.toISOString(), to.toISOString());
    return { from: from.toISOString(), to: to.toISOString(), items, totals: totalsOf(items) };
  }

  /** The totals of [from, to), for the KPI reports. */
  async totals(from: string, to: string): Promise<FootageTotals> {
    return totalsOf(await this.between(from, to));
  }

  private async between(from: string, to: string): Promise<FootageRequest[]> {
    const seq = this.projectedSeq?.() ?? null;
    const stored = await history(() => this.repo.recordedBetween(from, to));
    const lo = Date.parse(from);
    const hi = Date.parse(to);
    const byId = new Map(stored.map((r) => [r.id, r]));
    for (const r of await this.unprojected(seq)) {
      const t = Date.parse(r.requestedAt);
      if (t < lo || t >= hi) continue;
      const had = byId.get(r.id);
      if (!had || had.version < r.version) byId.set(r.id, r);
    }
    return [...byId.values()].sort(
      (a, b) => b.requestedAt.localeCompare(a.requestedAt) || b.id.localeCompare(a.id),
    );
  }

  /** A request from the record, or from the stream above what the record holds. */
  private async recorded(id: string): Promise<FootageRequest | null> {
    const seq = this.projectedSeq?.() ?? null;
    const stored = await history(() => this.repo.recorded(id));
    let best = stored;
    for (const r of await this.unprojected(seq))
      if (r.id === id && (!best || best.version < r.version)) best = r;
    return best;
  }

  /**
   * Footage events above `seq` (read before the database, so nothing falls between the two: an
   * event at or below it is in the database, one above it still in the stream).
   */
  private async unprojected(seq: number | null): Promise<FootageRequest[]> {
    if (seq === null) return [];
    const events: LiveEvent[] = await this.store.readAfter(seq, UNPROJECTED_SCAN);
    return events.flatMap((e) =>
      e.type === 'footage_request.created' || e.type === 'footage_request.updated' ? [e.data] : [],
    );
  }
}

/** The database not answering is a 503 with Retry-After, never a 500. */
async function history<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
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
