import type { Incident } from '../../shared/incident.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';

/**
 * How long finished items stay in the snapshot. A console needs what is open and what just ended;
 * a case closed last week is still in the store and answers `GET /api/v1/incidents/:id`, but
 * would only make every console's first load slower.
 */
export const FINISHED_KEPT_MS = 24 * 3600 * 1000;

export function inSnapshot(item: Incident | VideoAlert, now: number): boolean {
  const finished = item.status === 'closed' || item.status === 'dismissed';
  return !finished || now - Date.parse(item.updatedAt) < FINISHED_KEPT_MS;
}
