import type { LiveEvent } from '../../shared/protocol.ts';
import type { CommitPlan, EventStore } from './event-store.ts';
import { DomainError } from '../infra/domain-errors.ts';

const MAX_ATTEMPTS = 8;

/**
 * Runs a command as read → check → commit, again from the top when another writer changed what it
 * read. `decide` re-reads and re-checks on every attempt, so a precondition another command broke
 * in the meantime (a resource dispatched by someone else) surfaces as that command's own 409.
 */
export async function commitWithRetry<T>(
  store: EventStore,
  decide: (now: Date) => Promise<{ plan: CommitPlan | null; result: T }>,
  opts: { clock?: () => Date; beforeFirstCommit?: (result: T) => Promise<void> } = {},
): Promise<{ result: T; events: LiveEvent[] }> {
  const clock = opts.clock ?? (() => new Date());
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = clock();
    const { plan, result } = await decide(now);
    // Nothing to change (an idempotent job finding its work done): no commit, no event.
    if (plan === null) return { result, events: [] };
    if (attempt === 0) await opts.beforeFirstCommit?.(result);
    const res = await store.commit(plan, now);
    if (res.status === 'ok') return { result, events: res.events };
    if (res.status === 'duplicate') return { result, events: [] };
  }
  throw new DomainError(409, 'conflict', 'too many simultaneous changes; try again');
}

/** The stored mode carries a version; an absent one (version 0) must still be absent. */
export const expectedVersion = (v: number): number | null => (v === 0 ? null : v);
