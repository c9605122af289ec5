import type { CaseStatus, CaseStepRecord } from '../../shared/case.ts';
import type { CaseStep } from '../../shared/case-rules.ts';
import { INCIDENT_CATEGORIES, type Incident } from '../../shared/incident.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import { pick, type Rand } from '../../shared/random.ts';

/**
 * Random case histories for the KPI property test and the bench: every shape the definitions
 * tell apart (steps on time, exactly at their due time and late; reworks, once or more;
 * extensions; deferrals; voids; consultations answered; cases still running, overdue or not), as
 * the versions a case's events carry, a deadline event (`case.overdue`) among them now and then.
 * The stories need not be the lifecycle's exact moves: the figures are recomputed from the last
 * version's status and steps, whatever they are.
 */
export type CaseHistory = { events: PendingEvent[]; final: Incident };

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

export type RandomCaseOptions = {
  id: string;
  /** When it was accepted (ms). */
  createdAt: number;
  /**
   * The test's "now" (ms): a step still running at the end is due either `margin` or more before
   * it or `margin` or more after it, so `overdueOpen` is the same whenever the test reads it.
   */
  now: number;
  margin?: number;
  streets: readonly (string | null)[];
  departments: readonly string[];
};

type EventType = 'incident.created' | 'incident.updated' | 'case.overdue';

export function randomCase(rand: Rand, o: RandomCaseOptions): CaseHistory {
  const margin = o.margin ?? 24 * HOUR;
  const streetId = pick(rand, o.streets);
  let t = o.createdAt;
  let version = 1;
  let cur: Incident = {
    id: o.id,
    source: 'hotline-12345',
    kind: rand() < 0.9 ? 'case' : 'emergency',
    category: pick(rand, INCIDENT_CATEGORIES),
    title: `随机案卷 ${o.id}`,
    location: { lng: 116.3, lat: 39.96 },
    locationLabel: '海淀区',
    streetId,
    communityId: null,
    outsideDistrict: streetId === null,
    severity: 4,
    status: 'accepted',
    reportedAt: iso(t),
    createdAt: iso(t),
    updatedAt: iso(t),
    reportCount: 1,
    mergedIds: [],
    videoAlertIds: [],
    operationIds: [],
    departmentId: null,
    level: 'community',
    rulesVersion: 1,
    steps: [],
    lastAction: { at: iso(t), action: 'accepted', actor: 'intake' },
    version,
  };
  const events: PendingEvent[] = [];
  const steps: CaseStepRecord[] = [];
  const put = (type: EventType, status: CaseStatus, action: string, more: Partial<Incident> = {}) => {
    cur = {
      ...cur,
      ...more,
      status,
      steps: steps.map((s) => ({ ...s })),
      updatedAt: iso(t),
      lastAction: { at: iso(t), action, actor: 'test' },
      version: version++,
    };
    events.push({ type, actor: 'test', data: cur } as PendingEvent);
  };

  /** Starts a step at `t`, due after a limit of 1–48 hours. */
  const begin = (step: CaseStep) =>
    steps.push({ step, startedAt: iso(t), dueAt: iso(t + (1 + Math.floor(rand() * 48)) * HOUR) });
  /** Finishes the running step, perhaps extended first: mostly on time, some exactly at the due time, some late. */
  const finish = (extra: Partial<CaseStepRecord> = {}) => {
    const s = steps[steps.length - 1];
    if (rand() < 0.08) {
      const previousDueAt = s.dueAt;
      s.dueAt = iso(Date.parse(s.dueAt) + 24 * HOUR);
      s.extension = { amount: 1, unit: 'days', reason: '延期', at: iso(t), actor: 'dept', previousDueAt };
    }
    const due = Date.parse(s.dueAt);
    const r = rand();
    t = Math.max(t, r < 0.75 ? t + (due - t) * rand() : r < 0.8 ? due : due + (1 + rand() * 30) * HOUR);
    Object.assign(s, { finishedAt: iso(t), onTime: t <= due, actor: 'test', ...extra });
  };
  /**
   * The end of the story: a step still running is moved well clear of `now`, and when overdue its
   * last version is sometimes the deadline event, as the deadline timers would add it.
   */
  const end = (): CaseHistory => {
    const last = steps[steps.length - 1];
    if (last && last.finishedAt === undefined) {
      const overdue = rand() < 0.5;
      last.dueAt = iso(
        overdue
          ? Math.min(Date.parse(last.dueAt), o.now - margin - rand() * 10 * HOUR)
          : Math.max(Date.parse(last.dueAt), o.now + margin + rand() * 48 * HOUR),
      );
      if (overdue) Object.assign(last, { dueSoon: true, overdue: true });
      put(overdue && rand() < 0.6 ? 'case.overdue' : 'incident.updated', cur.status, 'due');
    }
    return { events, final: cur };
  };

  begin('verify');
  put('incident.created', 'accepted', 'accepted');
  const r = rand();
  const stopAt: CaseStatus | 'answered' =
    r < 0.06
      ? 'voided'
      : r < 0.1
        ? 'answered'
        : r < 0.16
          ? 'deferred'
          : r < 0.3
            ? pick(rand, ['accepted', 'verified', 'dispatched', 'handled', 'inspected'] as const)
            : 'closed';

  if (stopAt === 'accepted') return end();
  if (stopAt === 'answered') {
    finish();
    put('incident.updated', 'closed', 'answered', { answer: '已答复' });
    return end();
  }
  if (stopAt === 'voided' && rand() < 0.5) {
    put('incident.updated', 'voided', 'voided');
    return end();
  }
  finish();
  begin('dispatch');
  put('incident.updated', 'verified', 'verified');
  if (stopAt === 'verified') return end();
  if (stopAt === 'voided') {
    finish();
    put('incident.updated', 'voided', 'voided');
    return end();
  }
  finish();
  begin('handle');
  put('incident.updated', 'dispatched', 'dispatched', { departmentId: pick(rand, o.departments) });
  if (stopAt === 'dispatched') return end();
  if (stopAt === 'deferred' && rand() < 0.5) {
    put('incident.updated', 'deferred', 'deferred', { deferredFrom: 'dispatched' });
    return end();
  }
  // Handle, then inspect; a failed inspection (返工) starts handle again, up to three times.
  for (let round = 0; ; round++) {
    finish();
    begin('inspect');
    put('incident.updated', 'handled', 'handled');
    if (stopAt === 'handled' && rand() < 0.5) return end();
    const passed = round >= 2 || rand() < 0.8;
    finish({ passed });
    if (passed) break;
    begin('handle');
    put('incident.updated', 'dispatched', 'reworked');
  }
  begin('close');
  put('incident.updated', 'inspected', 'inspected');
  if (stopAt !== 'closed' && stopAt !== 'deferred') return end();
  if (stopAt === 'deferred') {
    put('incident.updated', 'deferred', 'deferred', { deferredFrom: 'inspected' });
    return end();
  }
  finish();
  put('incident.updated', 'closed', 'closed');
  return end();
}
