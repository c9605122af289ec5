import { isScoped } from '../../shared/common.ts';
import type { User } from '../../shared/identity.ts';

/**
 * What a user may see of the cases: everything (the centre's operators), one street (`subcentre`)
 * or one department (`department`). Pure, so every read (snapshot, feed, search, case routes,
 * KPIs) decides the same way.
 */
export type Scope =
  | { kind: 'all' }
  | { kind: 'street'; streetId: string }
  | { kind: 'department'; departmentId: string };

/** The fields of an incident (a case) that decide its scope. */
export type Scoped = { streetId: string | null; departmentId?: string | null };

/**
 * A user's scope. A scoped role without its binding sees nothing (the service refuses to store
 * one, but a hand-edited record must not fall open to the whole district).
 */
export function scopeOf(user: Pick<User, 'role' | 'streetId' | 'departmentId'>): Scope | null {
  if (!isScoped(user.role)) return { kind: 'all' };
  if (user.role === 'subcentre') return user.streetId ? { kind: 'street', streetId: user.streetId } : null;
  return user.departmentId ? { kind: 'department', departmentId: user.departmentId } : null;
}

/** Whether a case is in a scope (`null`: a broken binding, nothing is). */
export function inScope(scope: Scope | null, c: Scoped): boolean {
  if (!scope) return false;
  switch (scope.kind) {
    case 'all':
      return true;
    case 'street':
      return c.streetId === scope.streetId;
    case 'department':
      return (c.departmentId ?? null) === scope.departmentId;
  }
}

/** Whether a user may see a case: `inScope(scopeOf(user), c)`. Out of scope is a `404`, never a `403`. */
export function canSee(user: Pick<User, 'role' | 'streetId' | 'departmentId'>, c: Scoped): boolean {
  return inScope(scopeOf(user), c);
}

/** The scope as the feed's `hello` and the search filters name it. */
export function scopeFilter(scope: Scope | null): { streetId?: string; departmentId?: string } | null {
  if (!scope) return null;
  if (scope.kind === 'street') return { streetId: scope.streetId };
  if (scope.kind === 'department') return { departmentId: scope.departmentId };
  return {};
}
