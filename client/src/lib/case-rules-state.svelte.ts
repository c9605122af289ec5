/**
 * The case rules as this page last read them (GET /api/v1/case-rules), for the dispatch picker's
 * default; kept current by `case_rules.changed` on the feed. Who may not read them gets none.
 */
import type { CaseRules } from '../../../shared/case-rules.ts';
import { getCaseRules } from './api.ts';
import type { LiveStore } from './live/live-store.svelte.ts';

class CaseRulesState {
  rules = $state.raw<CaseRules | null>(null);
  private started = false;

  start(live: LiveStore): void {
    if (this.started) return;
    this.started = true;
    getCaseRules().then(
      (r) => {
        if (!this.rules || r.version > this.rules.version) this.rules = r;
      },
      () => undefined,
    );
    live.onChanges((_ch, applied) => {
      for (const e of applied)
        if (e.type === 'case_rules.changed' && (!this.rules || e.data.version >= this.rules.version)) {
          const { id: _id, ...rules } = e.data;
          this.rules = rules;
        }
    });
  }
}

export const caseRules = new CaseRulesState();
