import type { CaseRules, CaseRulesInput } from '../../shared/case-rules.ts';
import type { Role } from '../../shared/common.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import { IdentityRepository } from '../repositories/identity.repository.ts';
import { apiAs, until, type Api } from '../testing/command-helpers.ts';
import { login, postJson, type TestServer } from '../testing/harness.ts';

/**
 * Test helpers of the case lifecycle's integration tests: scoped users stored directly through
 * the identity repository (with the demo password), waiting on events in the log, saving rules.
 */
export async function scopedUser(
  srv: TestServer,
  username: string,
  binding: { role: Extract<Role, 'subcentre'>; streetId: string } | { role: Extract<Role, 'department'>; departmentId: string },
): Promise<Api> {
  const repo = new IdentityRepository(srv.container.redis, srv.container.keys);
  const duty = await repo.findUser('duty');
  if (!duty) throw new Error('no demo duty account to take the password from');
  await repo.saveUser({ id: `user-${username}`, username, displayName: username, ...binding, passwordHash: duty.passwordHash });
  return apiAs(srv.url, await login(srv.url, username));
}

/** Waits until the log holds an event of `type` whose data passes `pred` (no fixed sleep). */
export async function eventOf(
  srv: TestServer,
  type: LiveEvent['type'],
  pred: (data: any) => boolean,
  timeoutMs = 30_000,
  since = 0,
): Promise<LiveEvent> {
  return until(async () => {
    const evs = await srv.container.store.readAfter(since, 100_000);
    return evs.find((e) => e.type === type && pred(e.data)) ?? null;
  }, timeoutMs);
}

/** Every event of `type` for one case so far. */
export async function eventsFor(srv: TestServer, type: LiveEvent['type'], caseId: string): Promise<LiveEvent[]> {
  const evs = await srv.container.store.readAfter(0, 100_000);
  return evs.filter((e) => e.type === type && (e.data as { id?: string }).id === caseId);
}

/** Saves the rules with some limits changed (as the admin), returning the new version. */
/** `PUT` with the session of `api` (the test Api has no put of its own). */
export const put = (srv: TestServer, api: Api, path: string, body: unknown) =>
  postJson(srv.url + path, body, { cookie: api.cookie }, 'PUT');

export async function saveLimits(
  srv: TestServer,
  admin: Api,
  change: (l: CaseRulesInput['limits'][number]) => CaseRulesInput['limits'][number],
): Promise<CaseRules> {
  const cur = (await admin.get('/api/v1/case-rules')).body as CaseRules;
  const { updatedAt: _a, updatedBy: _b, note: _n, ...doc } = cur;
  const res = await put(srv, admin, '/api/v1/case-rules', { ...doc, limits: cur.limits.map(change) });
  if (res.status !== 200) throw new Error(`PUT case-rules ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CaseRules;
}
