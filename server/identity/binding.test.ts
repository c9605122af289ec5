import { describe, expect, it } from 'vitest';
import { DomainError } from '../services/errors.ts';
import { checkBinding, type KnownBindings } from './binding.ts';

const known: KnownBindings = {
  streets: new Map([['110108001', '万寿路街道']]),
  departments: new Map([['dept-cgw', '海淀区城市管理委员会']]),
};

const issues = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.issues?.map((i) => i.path);
    throw e;
  }
  return null;
};

describe('checkBinding', () => {
  it('binds a subcentre to an existing street and a department to an existing department', () => {
    expect(checkBinding('subcentre', { streetId: '110108001' }, known)).toEqual({ streetId: '110108001' });
    expect(checkBinding('department', { departmentId: 'dept-cgw' }, known)).toEqual({
      departmentId: 'dept-cgw',
    });
    expect(checkBinding('duty', {}, known)).toEqual({});
  });
  it('refuses a missing or unknown binding, and a binding of the wrong kind', () => {
    expect(issues(() => checkBinding('subcentre', {}, known))).toEqual(['streetId']);
    expect(issues(() => checkBinding('subcentre', { streetId: 'nowhere' }, known))).toEqual(['streetId']);
    expect(issues(() => checkBinding('department', { departmentId: 'dept-x' }, known))).toEqual([
      'departmentId',
    ]);
    expect(
      issues(() => checkBinding('department', { streetId: '110108001', departmentId: 'dept-cgw' }, known)),
    ).toEqual(['streetId']);
    expect(issues(() => checkBinding('commander', { streetId: '110108001' }, known))).toEqual(['streetId']);
  });
});
