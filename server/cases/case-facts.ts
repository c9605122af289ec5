import type { Incident } from '../../shared/incident.ts';
import { localDate } from './calendar.ts';
import { kpiCounts } from './kpi-definitions.ts';
import type { CaseFactsTable } from '../history/db.ts';

/**
 * A case's row in `case_facts` (migration 0003), as this module writes it: the table's own
 * columns (`CaseFactsTable`, which says what each means), with times as ISO strings.
 */
export type CaseFactsRow = {
  [K in keyof CaseFactsTable]: Exclude<CaseFactsTable[K], Date>;
};

/**
 * The facts of one case, from its status and steps alone. Every figure comes from the reference
 * definitions (`kpiCounts` over this one case), never from a second reading of the contract here:
 * a case's 0/1 counts are its flags, and summing the flags over cases is what `kpiCounts` does.
 * `overdueOpen` is the one figure that depends on `now`: with `now` at infinity it holds for
 * every case that counts at some `now`, and from then on it holds for every `now` past the
 * current step's due time.
 *
 * Events written before peacetime handling carry no `steps` (the read models project raw event
 * data, not the parsed schema with its defaults): such a case has taken no step.
 */
export function caseFacts(inc: Incident, seq: number): CaseFactsRow {
  const steps = inc.steps ?? [];
  const one = kpiCounts([{ status: inc.status, steps }], Number.POSITIVE_INFINITY);
  return {
    id: inc.id,
    accepted_at: inc.createdAt,
    accepted_day: localDate(Date.parse(inc.createdAt)),
    status: inc.status,
    street_id: inc.streetId ?? null,
    department_id: inc.departmentId ?? null,
    category: inc.category,
    voided: one.voided === 1,
    deferred: one.deferred === 1,
    closed: one.closed === 1,
    ever_dispatched: one.dispatched === 1,
    ever_handled: one.handled === 1,
    handled_on_time: one.handledOnTime === 1,
    extended: one.extended === 1,
    closed_on_time: one.closedOnTime === 1,
    reworks: one.reworks,
    current_due_at: one.overdueOpen === 1 ? steps[steps.length - 1].dueAt : null,
    last_seq: seq,
  };
}
