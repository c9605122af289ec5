import { isScoped } from '../../shared/common.ts';
import type { User } from '../../shared/identity.ts';
import { inFeedScope, type FeedScope } from '../../shared/protocol.ts';

/**
 * What a user may see of the cases: everything (the centre's operators), one street (`subcentre`)
 * or one department (`department`). Pure, so every read (snapshot, feed, search, case routes,
 * KPIs) decides the same way; the console's live store uses the same predicate
 * (`inFeedScope`, shared/protocol.ts).
 */
export type Scope =
  { kind: 'all' } | { kind: 'street'; streetId: string } | { kind: 'department'; departmentId: string };

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
  if (scope.kind === 'all') return true;
  return inFeedScope(feedScopeOf(scope)!, c);
}

/** Whether a user may see a case: `inScope(scopeOf(user), c)`. Out of scope is a `404`, never a `403`. */
export function canSee(user: Pick<User, 'role' | 'streetId' | 'departmentId'>, c: Scoped): boolean {
  return inScope(scopeOf(user), c);
}

/**
 * The scope as the feed's `hello` and the case search's filters name it: `undefined` for the
 * whole district, `{}` (matches nothing) for a broken binding.
 */
export function feedScopeOf(scope: Scope | null): FeedScope | undefined {
  if (!scope) return {};
  if (scope.kind === 'street') return { streetId: scope.streetId };
  if (scope.kind === 'department') return { departmentId: scope.departmentId };
  return undefined;
}
