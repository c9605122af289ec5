import type { AfterActionRecord } from '../../shared/after-action.ts';
import type { AuditQuery } from '../../shared/audit.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { EventStore } from '../repositories/event-store.ts';
import type { StateRepository } from '../repositories/state.repository.ts';
import { computeAfterAction, OperationEventFilter } from './after-action.ts';
import { conflict, DomainError, notFound } from './errors.ts';

const PAGE = 1000;
/** An audit request reads at most this many events before answering with a cursor to go on. */
const AUDIT_SCAN_LIMIT = 20_000;
/** Events are stamped by the committing process; allow for clocks a little apart. */
const CLOCK_SLACK_MS = 5_000;
const CACHE_SIZE = 50;

/** Reads of the log as a record: the audit trail and the after-action records. */
export class RecordService {
  /** A stood-down operation's record never changes; keep the last few. */
  private readonly cache = new Map<string, AfterActionRecord>();

  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async afterAction(operationId: string): Promise<AfterActionRecord> {
    const hit = this.cache.get(operationId);
    if (hit) return hit;
    const op = await this.state.getOperation(operationId);
    if (!op) throw notFound(`operation ${operationId}`);
    if (op.status !== 'stood_down')
      throw conflict(`operation ${operationId} is still active; stand it down first`);
    let from = op.logFromSeq ?? 0;
    if (from + 1 < (await this.store.oldestSeq())) {
      throw new DomainError(409, 'conflict', `the log no longer holds the start of operation ${operationId}`);
    }
    const filter = new OperationEventFilter(op.id);
    const timeline: LiveEvent[] = [];
    const head = await this.store.headSeq();
    while (!filter.done && from < head) {
      const page = await this.store.readAfter(from, PAGE);
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
   * Newest first. Reads back from `before` until `limit` matches, the start of `from`, or the scan
   * limit; `nextBefore` continues exactly where this page stopped reading.
   */
  async audit(q: AuditQuery): Promise<{ events: LiveEvent[]; nextBefore: number | null }> {
    const out: LiveEvent[] = [];
    const fromMs = q.from ? Date.parse(q.from) : null;
    const toMs = q.to ? Date.parse(q.to) : null;
    let cursor: number | null = q.before ?? null;
    let scanned = 0;
    for (;;) {
      const page = await this.store.readBackwards(cursor, PAGE);
      if (page.length === 0) return { events: out, nextBefore: null };
      for (const ev of page) {
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
        if (out.length >= q.limit || scanned >= AUDIT_SCAN_LIMIT) {
          return { events: out, nextBefore: cursor > 1 ? cursor : null };
        }
      }
      if (cursor !== null && cursor <= 1) return { events: out, nextBefore: null };
    }
  }
}
