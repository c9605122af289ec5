import type { Incident } from '../../../shared/incident.ts';
import type { HistoryDb } from '../../history/db.ts';

/** A case counts as closed for Open311 once closed or voided (request-view.ts says the same). */
export const CLOSED_STATUSES = ['closed', 'voided'] as const;

export type RequestWindow = {
  /** Inclusive, on the case's `createdAt` (Open311's `requested_datetime`). */
  from: string;
  /** Inclusive, as the spec's `end_date` reads. */
  to: string;
  categories?: readonly string[];
  status?: 'open' | 'closed';
  /** Only the cases this actor (an integration's name) created: one key never lists another's. */
  filedBy: string;
  limit: number;
};

/**
 * `GET requests` over every case ever, from the history database (`cases`, the same rows
 * `GET /api/v1/cases` searches): newest first. A case created a moment ago appears once the
 * projector has written it (milliseconds; `GET /api/v1/status` reports the lag).
 */
export class Open311Repository {
  constructor(private readonly db: HistoryDb) {}

  async requests(w: RequestWindow): Promise<Incident[]> {
    let q = this.db
      .selectFrom('cases')
      .select('data')
      .where('created_at', '>=', w.from)
      .where('created_at', '<=', w.to);
    // The actor of the case's first step (`accepted`) is whoever sent the report that created it.
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('case_history')
          .select('case_history.seq')
          .whereRef('case_history.case_id', '=', 'cases.id')
          .where('case_history.action', '=', 'accepted')
          .where('case_history.actor', '=', w.filedBy),
      ),
    );
    if (w.categories?.length) q = q.where('category', 'in', [...w.categories]);
    if (w.status === 'closed') q = q.where('status', 'in', [...CLOSED_STATUSES]);
    if (w.status === 'open') q = q.where('status', 'not in', [...CLOSED_STATUSES]);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(w.limit).execute();
    return rows.map((r) => r.data as Incident);
  }
}
