import type { Transaction } from 'kysely';
import type { FootageRequest } from '../../shared/footage.ts';
import type { FootageRequestsTable, HistoryTables } from './db.ts';
import { pgJson } from './pg-text.ts';

/**
 * The `footage_requests` read model (`footage_request.*`: each request's latest version), kept
 * apart from read-models.ts, which only collects the rows and calls the writer.
 */
export function footageRow(r: FootageRequest, seq: number): FootageRequestsTable {
  return {
    id: r.id,
    status: r.status,
    requested_at: r.requestedAt,
    hours: r.hours ?? null,
    last_seq: seq,
    data: r,
  };
}

export async function writeFootageRequests(
  trx: Transaction<HistoryTables>,
  rows: Iterable<FootageRequestsTable>,
): Promise<void> {
  const all = [...rows];
  for (let i = 0; i < all.length; i += 500)
    await trx
      .insertInto('footage_requests')
      .values(all.slice(i, i + 500).map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            requested_at: eb.ref('excluded.requested_at'),
            hours: eb.ref('excluded.hours'),
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('footage_requests.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
}
