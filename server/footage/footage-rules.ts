import type { Role } from '../../shared/common.ts';
import type {
  FootageCompleteInput,
  FootageDecisionInput,
  FootageRequest,
  FootageRequestInput,
  FootageStatus,
} from '../../shared/footage.ts';
import { footageTotals } from '../../shared/footage.ts';
import { can, type Permission } from '../../shared/identity.ts';
import { conflict, DomainError, forbidden } from '../infra/domain-errors.ts';

/**
 * The rules of footage retrieval (调取录像), pure: who may do what in which status.
 *
 *     requested ──approve [commander]──▶ approved ──complete {hours} [duty]──▶ completed
 *         └──────deny [commander]──────▶ denied
 *
 * Each step returns the next version of the request, or throws the DomainError the API answers
 * (403 wrong role, 409 wrong status, 400 bad input). The caller commits what it returns.
 */
export type FootageActor = { username: string; role: Role };
export type FootageAction = 'approve' | 'deny' | 'complete';

const NEEDS: Record<FootageAction, { permission: Permission; from: FootageStatus }> = {
  approve: { permission: 'footage.decide', from: 'requested' },
  deny: { permission: 'footage.decide', from: 'requested' },
  complete: { permission: 'footage.complete', from: 'approved' },
};

/** Finished requests change no more (and leave the working set). */
export const isFinished = (s: FootageStatus): boolean => s === 'denied' || s === 'completed';

export function mayAct(role: Role, action: FootageAction | 'request'): boolean {
  return can(role, action === 'request' ? 'footage.request' : NEEDS[action].permission);
}

function allow(who: FootageActor, action: FootageAction | 'request'): void {
  if (!mayAct(who.role, action)) throw forbidden(`role "${who.role}" may not ${action} footage requests`);
}

/** A new request; every camera must be one we know (400 naming each unknown one). */
export function newRequest(
  input: FootageRequestInput,
  who: FootageActor,
  ctx: { id: string; now: string; knownCamera: (id: string) => boolean },
): FootageRequest {
  allow(who, 'request');
  const issues = input.cameraIds.flatMap((c, i) =>
    ctx.knownCamera(c) ? [] : [{ path: `cameraIds.${i}`, message: `unknown camera "${c}"` }],
  );
  if (new Set(input.cameraIds).size !== input.cameraIds.length)
    issues.push({ path: 'cameraIds', message: 'a camera is named twice' });
  if (!(Date.parse(input.from) < Date.parse(input.to)))
    issues.push({ path: 'to', message: 'to must be after from' });
  if (issues.length)
    throw new DomainError(400, 'invalid_request', issues.map((i) => i.message).join('; '), issues);
  return {
    id: ctx.id,
    cameraIds: [...input.cameraIds],
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    requester: input.requester,
    caseRef: input.caseRef,
    reason: input.reason,
    status: 'requested',
    requestedBy: who.username,
    requestedAt: ctx.now,
    version: 1,
  };
}

/** approve / deny / complete: the request's next version. */
export function act(
  r: FootageRequest,
  action: FootageAction,
  input: FootageDecisionInput | FootageCompleteInput,
  who: FootageActor,
  now: string,
): FootageRequest {
  allow(who, action);
  const need = NEEDS[action];
  if (r.status !== need.from)
    throw conflict(
      `footage request ${r.id} is ${r.status}; only a ${need.from} request can be ${done(action)}`,
    );
  const next = { ...r, version: r.version + 1 };
  if (action === 'complete') {
    const { hours } = input as FootageCompleteInput;
    return { ...next, status: 'completed', completedBy: who.username, completedAt: now, hours };
  }
  const { note } = input as FootageDecisionInput;
  return {
    ...next,
    status: action === 'approve' ? 'approved' : 'denied',
    decidedBy: who.username,
    decidedAt: now,
    ...(note ? { decisionNote: note } : {}),
  };
}

const done = (a: FootageAction) => (a === 'approve' ? 'approved' : a === 'deny' ? 'denied' : 'completed');

/** The totals of a period's requests (shared with the console, which recounts as events arrive). */
export const totalsOf = footageTotals;
