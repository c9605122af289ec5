import { caseEnded, type CaseStatus } from '../../shared/case.ts';
import type { Incident } from '../../shared/incident.ts';
import type { VideoAlert } from '../../shared/video-alert.ts';

/**
 * How long finished items stay in the snapshot at least. Redis holds only the working set: a
 * finished item leaves it when the archive sweep moves it to the database (ARCHIVE_AFTER_MS after
 * it finished, once projected), and until then it stays on the walls. The snapshot keeps finished
 * items for the longer of this and ARCHIVE_AFTER_MS (`StateRepository`), so a wall shows a
 * finished item until it is archived, and still no more than that while archiving waits for a
 * database that is down (finished items then pile up in Redis, not on every console).
 */
export const FINISHED_KEPT_MS = 24 * 3600 * 1000;

export function inSnapshot(item: Incident | VideoAlert, now: number, keptMs = FINISHED_KEPT_MS): boolean {
  // Alert and case statuses do not overlap: an alert is finished once dismissed, a case once ended.
  const finished = item.status === 'dismissed' || caseEnded(item.status as CaseStatus);
  return !finished || now - Date.parse(item.updatedAt) < keptMs;
}
