/**
 * The footage view's state (调取录像): the requests made in a chosen period with their totals, and
 * the three steps (duty requests, the commander approves or denies, duty completes with hours).
 * `footage_request.*` events from the live feed update the list in place, so every console sees a
 * step the moment it is committed; the totals are recounted from the list as the server counts.
 */
import {
  footageTotals,
  type FootageCompleteInput,
  type FootageRequest,
  type FootageRequestInput,
  type FootageTotals,
} from '../../../shared/footage.ts';
import type { LiveEvent } from '../../../shared/protocol.ts';
import { completeFootage, decideFootage, getFootage, requestFootage } from './api.ts';
import { errorText } from './errors.ts';
import { mergeFootage, thisMonth } from './footage-list.ts';
import type { LiveStore } from './live/live-store.svelte.ts';

const isFootage = (e: LiveEvent): e is Extract<LiveEvent, { type: `footage_request.${string}` }> =>
  e.type === 'footage_request.created' || e.type === 'footage_request.updated';

export class FootageState {
  from = $state('');
  to = $state('');
  items = $state.raw<FootageRequest[]>([]);
  totals = $state.raw<FootageTotals>(footageTotals([]));
  error = $state<string | null>(null);
  busy = $state(false);
  /** How many times the list was loaded (tests wait on it). */
  loads = $state(0);

  private off: (() => void) | null = null;

  constructor(now = Date.now()) {
    const m = thisMonth(now);
    this.from = m.from;
    this.to = m.to;
  }

  start(live: LiveStore): () => void {
    this.off = live.onChanges((_ch, applied) => {
      for (const e of applied) if (isFootage(e)) this.upsert(e.data);
    });
    void this.load();
    return () => this.stop();
  }

  stop(): void {
    this.off?.();
    this.off = null;
  }

  async load(): Promise<void> {
    try {
      const list = await getFootage({ from: this.from, to: this.to });
      this.items = list.items;
      this.totals = list.totals;
      this.error = null;
      this.loads++;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** A request as it now is (from an answer or an event): in the list if made in the period. */
  upsert(r: FootageRequest): void {
    const next = mergeFootage(this.items, r, { from: this.from, to: this.to });
    if (!next) return;
    this.items = next;
    this.totals = footageTotals(next);
  }

  request(input: FootageRequestInput): Promise<boolean> {
    return this.run(() => requestFootage(input));
  }
  decide(id: string, decision: 'approve' | 'deny', note: string): Promise<boolean> {
    return this.run(() => decideFootage(id, decision, note.trim() ? { note: note.trim() } : {}));
  }
  complete(id: string, input: FootageCompleteInput): Promise<boolean> {
    return this.run(() => completeFootage(id, input));
  }

  private async run(step: () => Promise<FootageRequest>): Promise<boolean> {
    this.busy = true;
    try {
      this.upsert(await step());
      this.error = null;
      return true;
    } catch (e) {
      this.error = errorText(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
