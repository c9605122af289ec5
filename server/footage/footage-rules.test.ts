import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/common.ts';
import { FootageRequestInput, type FootageRequest } from '../../shared/footage.ts';
import { DomainError } from '../infra/domain-errors.ts';
import { act, isFinished, mayAct, newRequest, totalsOf, type FootageAction } from './footage-rules.ts';

const NOW = '2026-11-30T02:00:00.000Z';
const input = {
  cameraIds: ['CAM-1', 'CAM-2'],
  from: '2026-11-29T08:00:00+08:00',
  to: '2026-11-29T10:00:00+08:00',
  requester: '海淀分局 刑侦支队 王警官',
  caseRef: '京公海刑字〔2026〕1234号',
  reason: '盗窃案件调查',
};
const who = (role: Role) => ({ username: role, role });
const known = new Set(['CAM-1', 'CAM-2', 'CAM-3']);
const make = (over: Partial<typeof input> = {}) =>
  newRequest({ ...input, ...over }, who('duty'), { id: 'FTG-1', now: NOW, knownCamera: (c) => known.has(c) });

function fails(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('a new footage request', () => {
  it('is requested, by the duty officer, with times normalised to UTC and version 1', () => {
    const r = make();
    expect(r).toMatchObject({
      id: 'FTG-1',
      status: 'requested',
      requestedBy: 'duty',
      requestedAt: NOW,
      from: '2026-11-29T00:00:00.000Z',
      to: '2026-11-29T02:00:00.000Z',
      version: 1,
    });
    expect(r.hours).toBeUndefined();
  });

  it('names every unknown camera, and a camera named twice', () => {
    const e = fails(() => make({ cameraIds: ['CAM-1', 'CAM-X', 'CAM-Y', 'CAM-1'] }));
    expect(e.status).toBe(400);
    expect(e.issues).toEqual([
      { path: 'cameraIds.1', message: 'unknown camera "CAM-X"' },
      { path: 'cameraIds.2', message: 'unknown camera "CAM-Y"' },
      { path: 'cameraIds', message: 'a camera is named twice' },
    ]);
  });

  it('needs from before to (the rules and the input schema both say so)', () => {
    expect(fails(() => make({ to: input.from })).issues).toEqual([
      { path: 'to', message: 'to must be after from' },
    ]);
    const parsed = FootageRequestInput.safeParse({ ...input, to: input.from });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['to']);
  });

  it('is the duty officer’s alone to record', () => {
    for (const role of ['commander', 'liaison', 'admin', 'subcentre', 'department'] as const) {
      const e = fails(() => newRequest(input, who(role), { id: 'F', now: NOW, knownCamera: () => true }));
      expect(e.status, role).toBe(403);
    }
  });
});

describe('the steps of a request', () => {
  const base = make();
  const approved = act(base, 'approve', {}, who('commander'), NOW);
  const denied = act(base, 'deny', { note: '手续不全' }, who('commander'), NOW);
  const completed = act(approved, 'complete', { hours: 1.25 }, who('duty'), NOW);

  it('requested → approved / denied by the commander → completed with hours by duty', () => {
    expect(approved).toMatchObject({
      status: 'approved',
      decidedBy: 'commander',
      decidedAt: NOW,
      version: 2,
    });
    expect(approved.decisionNote).toBeUndefined();
    expect(denied).toMatchObject({ status: 'denied', decisionNote: '手续不全', version: 2 });
    expect(completed).toMatchObject({ status: 'completed', completedBy: 'duty', hours: 1.25, version: 3 });
    expect([base, approved, denied, completed].map((r) => isFinished(r.status))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('a step in the wrong status is 409, whatever the status', () => {
    const table: [FootageRequest, FootageAction, Role][] = [
      [base, 'complete', 'duty'],
      [approved, 'approve', 'commander'],
      [approved, 'deny', 'commander'],
      [denied, 'approve', 'commander'],
      [denied, 'complete', 'duty'],
      [completed, 'approve', 'commander'],
      [completed, 'deny', 'commander'],
      [completed, 'complete', 'duty'],
    ];
    for (const [r, a, role] of table)
      expect(fails(() => act(r, a, { hours: 1 }, who(role), NOW)).status, `${r.status} ${a}`).toBe(409);
  });

  it('a step by the wrong role is 403 (before the status is looked at)', () => {
    const roles: Role[] = ['duty', 'commander', 'liaison', 'admin', 'subcentre', 'department'];
    for (const role of roles) {
      expect(mayAct(role, 'request')).toBe(role === 'duty');
      expect(mayAct(role, 'approve')).toBe(role === 'commander');
      expect(mayAct(role, 'deny')).toBe(role === 'commander');
      expect(mayAct(role, 'complete')).toBe(role === 'duty');
      if (role !== 'commander')
        expect(fails(() => act(completed, 'approve', {}, who(role), NOW)).status).toBe(403);
      if (role !== 'duty')
        expect(fails(() => act(approved, 'complete', { hours: 1 }, who(role), NOW)).status).toBe(403);
    }
  });
});

describe('totals', () => {
  it('count every request, sum the hours of completed ones exactly, and count each status', () => {
    const r = make();
    const items: FootageRequest[] = [
      r,
      { ...r, id: 'b', status: 'approved' },
      { ...r, id: 'c', status: 'denied' },
      // The seed's year: 3,218.53 hours over 3,222; floats must not drift.
      ...Array.from({ length: 10 }, (_, i) => ({
        ...r,
        id: `d${i}`,
        status: 'completed' as const,
        hours: 0.1,
      })),
      { ...r, id: 'e', status: 'completed', hours: 3217.53 },
    ];
    expect(totalsOf(items)).toEqual({
      count: 14,
      hours: 3218.53,
      byStatus: { requested: 1, approved: 1, denied: 1, completed: 11 },
    });
    expect(totalsOf([])).toEqual({
      count: 0,
      hours: 0,
      byStatus: { requested: 0, approved: 0, denied: 0, completed: 0 },
    });
  });
});
