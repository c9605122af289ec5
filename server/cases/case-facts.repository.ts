import type { Kysely, Transaction } from 'kysely';
import type { Incident } from '../../shared/incident.ts';
import type { HistoryTables } from '../history/db.ts';
import { caseFacts, type CaseFactsRow } from './case-facts.ts';

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement (17 columns). */
const ROWS_PER_INSERT = 1000;

/**
 * Writes the facts of cases (their latest version in a batch each): a row is replaced only by a
 * later version (`last_seq`), as the `cases` row is, so live projection and a rebuild agree
 * whatever the batches.
 */
export async function upsertCaseFacts(
  trx: Transaction<HistoryTables> | Kysely<HistoryTables>,
  rows: CaseFactsRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await trx
      .insertInto('case_facts')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            accepted_at: eb.ref('excluded.accepted_at'),
            status: eb.ref('excluded.status'),
            street_id: eb.ref('excluded.street_id'),
            department_id: eb.ref('excluded.department_id'),
            category: eb.ref('excluded.category'),
            voided: eb.ref('excluded.voided'),
            deferred: eb.ref('excluded.deferred'),
            closed: eb.ref('excluded.closed'),
            ever_dispatched: eb.ref('excluded.ever_dispatched'),
            ever_handled: eb.ref('excluded.ever_handled'),
            handled_on_time: eb.ref('excluded.handled_on_time'),
            extended: eb.ref('excluded.extended'),
            closed_on_time: eb.ref('excluded.closed_on_time'),
            reworks: eb.ref('excluded.reworks'),
            current_due_at: eb.ref('excluded.current_due_at'),
            last_seq: eb.ref('excluded.last_seq'),
          }))
          .where('case_facts.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
}

/**
 * Fills `case_facts` from the `cases` rows already there (each case's latest version), in pages
 * by id: what migration 0003 does once for a database from before it.
 */
export async function backfillCaseFacts(db: Kysely<HistoryTables>, page = 2000): Promise<number> {
  let after = '';
  let total = 0;
  for (;;) {
    const rows = await db
      .selectFrom('cases')
      .select(['id', 'last_seq', 'data'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(page)
      .execute();
    if (rows.length === 0) return total;
    await upsertCaseFacts(
      db,
      rows.map((r) => caseFacts(r.data as Incident, r.last_seq)),
    );
    after = rows[rows.length - 1].id;
    total += rows.length;
  }
}
