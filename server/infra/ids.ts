import { createHash, randomUUID } from 'node:crypto';

/** Deterministic when the sender gives an external id, so a re-sent report is the same item. */
export function intakeId(prefix: 'INC' | 'VA', scope: string, externalId: string | undefined): string {
  if (!externalId) return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const h = createHash('sha256').update(scope).update('\0').update(externalId).digest('hex');
  return `${prefix}-${h.slice(0, 20)}`;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}
