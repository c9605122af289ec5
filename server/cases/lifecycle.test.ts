import { describe, expect, it } from 'vitest';
import type { CaseAction, CaseActionName, CaseStatus } from '../../shared/case.ts';
import type { Incident } from '../../shared/incident.ts';
import { DomainError } from '../services/errors.ts';
import { WorkingCalendar } from './calendar.ts';
import { defaultCaseRules } from './default-rules.ts';
import {
  ACTION_FROM,
  applyAction,
  patchActions,
  runningStep,
  startLevel,
  startStep,
  type CaseActor,
  type LifecycleContext,
} from './lifecycle.ts';

const DEPTS = [
  { id: 'dept-cgw', name: '城管委', nameEn: 'CM', kind: 'city_management' as const },
  { id: 'dept-sthjj', name: '生态环境局', nameEn: 'EE', kind: 'environment' as const },
  {
    id: 'dept-street-s1',
    name: '街道办',
    nameEn: 'S1',
    kind: 'street_office' as const,
    streetId: 's1',
  },
];
const RULES = defaultCaseRules(DEPTS);
// Limits in calendar minutes, so the due times below are plain arithmetic.
RULES.limits = RULES.limits.map((l) => ({ ...l, amount: 10, unit: 'minutes' as const }));
const CAL = new WorkingCalendar(RULES.calendar);
const T0 = new Date('2026-03-02T02:00:00Z'); // a Monday, 10:00 in Beijing
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const ctx = (min: number, extra: Partial<LifecycleContext> = {}): LifecycleContext => ({
  now: at(min),
  rules: RULES,
  calendar: CAL,
  departments: new Set(DEPTS.map((d) => d.id)),
  ...extra,
});

const duty: CaseActor = { name: 'duty', role: 'duty' };
const commander: CaseActor = { name: 'cmd', role: 'commander' };
const sub: CaseActor = { name: 'sub', role: 'subcentre', streetId: 's1' };
const otherSub: CaseActor = { name: 'sub2', role: 'subcentre', streetId: 's2' };
const dept: CaseActor = { name: 'env', role: 'department', departmentId: 'dept-sthjj' };
const otherDept: CaseActor = { name: 'cm', role: 'department', departmentId: 'dept-cgw' };
const liaison: CaseActor = { name: 'li', role: 'liaison' };
const admin: CaseActor = { name: 'ad', role: 'admin' };

function newCase(): Incident {
  return {
    id: 'INC-1',
    source: 'hotline',
    kind: 'case',
    category: 'environment',
    title: '垃圾暴露',
    location: { lng: 116.3, lat: 39.95 },
    locationLabel: '海淀区',
    streetId: 's1',
    communityId: 'c1',
    outsideDistrict: false,
    severity: 4,
    status: 'accepted',
    reportedAt: T0.toISOString(),
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    reportCount: 1,
    mergedIds: [],
    videoAlertIds: [],
    operationIds: [],
    departmentId: null,
    level: startLevel({ communityId: 'c1', streetId: 's1' }),
    rulesVersion: 1,
    steps: [startStep('verify', 'environment', RULES, CAL, T0)],
    lastAction: { at: T0.toISOString(), action: 'accepted', actor: 'hotline' },
    version: 1,
  };
}

const act = (c: Incident, a: CaseAction, who: CaseActor = duty, min = 1, extra?: Partial<LifecycleContext>) =>
  applyAction(c, a, who, ctx(min, extra));

function refusal(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.status;
    throw e;
  }
  return 200;
}

/** A case brought to `status` along the main line. */
function caseAt(status: CaseStatus): Incident {
  let c = newCase();
  const path: [CaseStatus, CaseAction, CaseActor][] = [
    ['verified', { action: 'verify' }, duty],
    ['dispatched', { action: 'dispatch' }, duty],
    ['handled', { action: 'handle', note: '已清运' }, dept],
    ['inspected', { action: 'inspect', passed: true }, duty],
    ['closed', { action: 'close' }, duty],
  ];
  if (status === 'deferred') return act(c, { action: 'defer', reason: '待季节' });
  if (status === 'voided') return act(c, { action: 'void', reason: '重复' });
  for (const [s, a, who] of path) {
    if (c.status === status) break;
    c = act(c, a, who);
    if (s === status) break;
  }
  return c;
}

const SAMPLE: Record<CaseActionName, CaseAction> = {
  verify: { action: 'verify' },
  answer: { action: 'answer', text: '已电话答复' },
  void: { action: 'void', reason: '重复' },
  dispatch: { action: 'dispatch' },
  handle: { action: 'handle', note: '已处置' },
  inspect: { action: 'inspect', passed: true },
  close: { action: 'close' },
  defer: { action: 'defer', reason: '待季节' },
  resume: { action: 'resume' },
  extend: { action: 'extend', amount: 5, unit: 'minutes', reason: '需协调' },
  escalate: { action: 'escalate', reason: '街道无法解决' },
};

describe('the start of a case', () => {
  it('starts at the lowest level of the grid that holds it, with verify due by its limit', () => {
    expect(startLevel({ communityId: 'c', streetId: 's' })).toBe('community');
    expect(startLevel({ communityId: null, streetId: 's' })).toBe('street');
    expect(startLevel({ communityId: null, streetId: null })).toBe('district');
    expect(newCase().steps).toEqual([{ step: 'verify', startedAt: T0.toISOString(), dueAt: at(10).toISOString() }]);
  });
});

describe('the main line', () => {
  it('verify → dispatch (routing rule) → handle → inspect → close, each step finishing the one before', () => {
    const v = act(newCase(), { action: 'verify', note: '属实' }, duty, 4);
    expect(v.status).toBe('verified');
    expect(v.steps.map((s) => s.step)).toEqual(['verify', 'dispatch']);
    expect(v.steps[0]).toMatchObject({ finishedAt: at(4).toISOString(), onTime: true, actor: 'duty' });
    expect(v.steps[1]).toMatchObject({ startedAt: at(4).toISOString(), dueAt: at(14).toISOString() });
    expect(v.lastAction).toMatchObject({ action: 'verify', actor: 'duty', note: '属实' });
    expect(v.version).toBe(2);

    const d = act(v, { action: 'dispatch' }, sub, 20);
    expect(d.status).toBe('dispatched');
    expect(d.departmentId).toBe('dept-sthjj'); // environment → ecology and environment
    expect(d.steps[1]).toMatchObject({ onTime: false, actor: 'sub' }); // due at 14, done at 20
    expect(d.lastAction.ref).toBe('dept-sthjj');

    const h = act(d, { action: 'handle', note: '已清运' }, dept, 25);
    expect(h.status).toBe('handled');
    expect(h.steps.map((s) => s.step)).toEqual(['verify', 'dispatch', 'handle', 'inspect']);

    const i = act(h, { action: 'inspect', passed: true }, commander, 26);
    expect(i.status).toBe('inspected');
    expect(i.steps[3]).toMatchObject({ passed: true, onTime: true });
    expect(runningStep(i)?.step.step).toBe('close');

    const c = act(i, { action: 'close' }, duty, 27);
    expect(c.status).toBe('closed');
    expect(runningStep(c)).toBeNull();
    expect(c.steps.every((s) => s.finishedAt)).toBe(true);
  });

  it('dispatch to a named department, and refuses one that does not exist (400)', () => {
    const v = caseAt('verified');
    expect(act(v, { action: 'dispatch', departmentId: 'dept-cgw' }).departmentId).toBe('dept-cgw');
    expect(refusal(() => act(v, { action: 'dispatch', departmentId: 'dept-nope' }))).toBe(400);
  });

  it('a failed inspection is a rework: dispatched again, same department, a new handle step', () => {
    const h = caseAt('handled');
    const r = act(h, { action: 'inspect', passed: false, note: '未清理干净' }, duty, 30);
    expect(r.status).toBe('dispatched');
    expect(r.departmentId).toBe(h.departmentId);
    expect(r.steps.map((s) => s.step)).toEqual(['verify', 'dispatch', 'handle', 'inspect', 'handle']);
    expect(r.steps[3]).toMatchObject({ passed: false });
    expect(r.steps[4]).toMatchObject({ startedAt: at(30).toISOString(), dueAt: at(40).toISOString() });
    const again = act(r, { action: 'handle', note: '返工完成' }, dept, 35);
    expect(again.status).toBe('handled');
  });

  it('answer closes a consultation from accepted or verified, the answer recorded', () => {
    for (const s of ['accepted', 'verified'] as const) {
      const a = act(caseAt(s), { action: 'answer', text: '已电话答复市民' });
      expect(a.status).toBe('closed');
      expect(a.answer).toBe('已电话答复市民');
      expect(runningStep(a)).toBeNull();
    }
  });

  it('void ends a case with its reason', () => {
    const v = act(caseAt('dispatched'), { action: 'void', reason: '重复案卷' });
    expect(v.status).toBe('voided');
    expect(v.lastAction.note).toBe('重复案卷');
  });

  it('defer keeps the running step as it is; resume returns to where it was', () => {
    const d0 = caseAt('dispatched');
    const d = act(d0, { action: 'defer', reason: '需来年施工' });
    expect(d.status).toBe('deferred');
    expect(d.deferredFrom).toBe('dispatched');
    expect(d.steps).toEqual(d0.steps);
    const r = act(d, { action: 'resume' });
    expect(r.status).toBe('dispatched');
    expect(r.deferredFrom).toBeUndefined();
    expect('deferredFrom' in r).toBe(false);
  });

  it('extend moves the running step’s due time once, from its due time, clearing its flags', () => {
    const d0 = caseAt('dispatched');
    const flagged: Incident = {
      ...d0,
      steps: d0.steps.map((s, i) => (i === d0.steps.length - 1 ? { ...s, dueSoon: true } : s)),
    };
    const e = act(flagged, { action: 'extend', amount: 30, unit: 'minutes', reason: '需协调' }, dept);
    const run = runningStep(e)!.step;
    expect(Date.parse(run.dueAt) - Date.parse(d0.steps.at(-1)!.dueAt)).toBe(30 * 60_000);
    expect(run.extension).toMatchObject({ amount: 30, unit: 'minutes', actor: 'env', previousDueAt: d0.steps.at(-1)!.dueAt });
    expect(run.dueSoon).toBeUndefined();
    expect(refusal(() => act(e, { action: 'extend', amount: 1, unit: 'hours', reason: '再延' }, dept))).toBe(409);
    // The next step may be extended again: once per step.
    const h = act(e, { action: 'handle', note: 'ok' }, dept);
    expect(act(h, { action: 'extend', amount: 1, unit: 'work_hours', reason: 'x' }).steps.at(-1)!.extension).toBeDefined();
  });

  it('escalate goes community → street → district, and no further (409)', () => {
    const a = act(newCase(), SAMPLE.escalate);
    expect(a.level).toBe('street');
    const b = act(a, SAMPLE.escalate);
    expect(b.level).toBe('district');
    expect(refusal(() => act(b, SAMPLE.escalate))).toBe(409);
  });
});

describe('refusals', () => {
  const STATUSES: CaseStatus[] = ['accepted', 'verified', 'dispatched', 'handled', 'inspected', 'closed', 'deferred', 'voided'];
  it('every action outside the statuses it fits is 409, and within them is allowed', () => {
    for (const status of STATUSES) {
      const c = caseAt(status);
      expect(c.status).toBe(status);
      for (const name of Object.keys(SAMPLE) as CaseActionName[]) {
        const who = name === 'handle' || name === 'extend' ? dept : duty;
        // A department sees only its cases: before dispatch, the centre records them.
        const actor = c.departmentId === dept.departmentId ? who : name === 'handle' ? null : duty;
        if (!actor) continue;
        const got = refusal(() => act(c, SAMPLE[name], actor));
        expect([name, status, got]).toEqual([name, status, ACTION_FROM[name].includes(status) ? 200 : 409]);
      }
    }
  });

  it('roles: the centre and the case’s sub-centre all but handle; the case’s department only handle and extend', () => {
    const d = caseAt('dispatched');
    for (const who of [duty, commander, sub]) {
      expect(refusal(() => act(d, SAMPLE.handle, who))).toBe(403);
      expect(refusal(() => act(d, SAMPLE.escalate, who))).toBe(200);
    }
    expect(refusal(() => act(d, SAMPLE.handle, dept))).toBe(200);
    expect(refusal(() => act(d, SAMPLE.extend, dept))).toBe(200);
    for (const name of ['void', 'inspect', 'close', 'defer', 'escalate', 'dispatch', 'verify'] as const)
      expect(refusal(() => act(d, SAMPLE[name], dept))).toBe(403);
    for (const who of [liaison, admin]) expect(refusal(() => act(d, SAMPLE.escalate, who))).toBe(403);
  });

  it('a scoped user out of scope gets 404, whatever the action', () => {
    const d = caseAt('dispatched');
    expect(refusal(() => act(d, SAMPLE.escalate, otherSub))).toBe(404);
    expect(refusal(() => act(d, SAMPLE.handle, otherDept))).toBe(404);
    // Not dispatched yet: no department's case.
    expect(refusal(() => act(caseAt('verified'), SAMPLE.extend, dept))).toBe(404);
  });

  it('the old PATCH records handling on the department’s behalf for duty and commander only', () => {
    const d = caseAt('dispatched');
    expect(act(d, SAMPLE.handle, duty, 1, { onBehalf: true }).status).toBe('handled');
    expect(refusal(() => act(d, SAMPLE.handle, sub, 1, { onBehalf: true }))).toBe(403);
  });
});

describe('patchActions (the PATCH alias)', () => {
  it('runs every step of the main line up to the one asked for', () => {
    expect(patchActions('accepted', 'closed').map((a) => a.action)).toEqual([
      'verify',
      'dispatch',
      'handle',
      'inspect',
      'close',
    ]);
    expect(patchActions('verified', 'verified')).toEqual([]);
    expect(patchActions('inspected', 'verified')).toEqual([]);
    expect(patchActions('accepted', 'verified', '属实')).toEqual([{ action: 'verify', note: '属实' }]);
    expect(patchActions('accepted', 'voided', '重复')).toEqual([{ action: 'void', reason: '重复' }]);
  });
});
