import type { Revocation } from '../identity/revocations.ts';

/**
 * Live sockets by the session they were opened with and by user, so that a revocation (logout,
 * expiry, a user removed or re-roled) finds every socket it must cut without a scan.
 */
export class SessionIndex<T> {
  private readonly bySession = new Map<string, Set<T>>();
  private readonly byUser = new Map<string, Set<T>>();
  private readonly keys = new Map<T, { sessionKey: string; userId: string }>();

  get size(): number {
    return this.keys.size;
  }

  add(item: T, sessionKey: string, userId: string): void {
    this.remove(item);
    this.keys.set(item, { sessionKey, userId });
    put(this.bySession, sessionKey, item);
    put(this.byUser, userId, item);
  }

  remove(item: T): void {
    const k = this.keys.get(item);
    if (!k) return;
    this.keys.delete(item);
    take(this.bySession, k.sessionKey, item);
    take(this.byUser, k.userId, item);
  }

  /** Every socket the revocation names, each once. */
  matching(r: Pick<Revocation, 'sessionKeys' | 'userIds'>): T[] {
    const out = new Set<T>();
    for (const s of r.sessionKeys ?? []) for (const t of this.bySession.get(s) ?? []) out.add(t);
    for (const u of r.userIds ?? []) for (const t of this.byUser.get(u) ?? []) out.add(t);
    return [...out];
  }
}

function put<T>(m: Map<string, Set<T>>, key: string, item: T): void {
  let set = m.get(key);
  if (!set) m.set(key, (set = new Set()));
  set.add(item);
}

function take<T>(m: Map<string, Set<T>>, key: string, item: T): void {
  const set = m.get(key);
  if (!set) return;
  set.delete(item);
  if (set.size === 0) m.delete(key);
}
