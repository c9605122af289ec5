import type { Warning } from '../../shared/warning.ts';

/**
 * Which warnings the consoles see (`GET /api/v1/warnings`, the snapshot, the replay): active ones
 * routed `live` or `drill` (Test/System are stored, never shown), not past their `expires` (the
 * expiry job may run a moment late; the wall must not show a warning that is over).
 */
export function isShownWarning(w: Warning, now: number): boolean {
  return w.state === 'active' && w.routing !== 'stored' && Date.parse(w.expires) > now;
}
