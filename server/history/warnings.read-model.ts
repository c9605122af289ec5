import type { Transaction } from 'kysely';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { Warning } from '../../shared/warning.ts';
import { warningId } from '../warnings/warning-id.ts';
import type { HistoryTables, WarningsTable } from './db.ts';
import { pgJson, pgText } from './pg-text.ts';

/**
 * The `warnings` read model (`warning.*` events: each thread's latest version), kept apart from
 * read-models.ts, which only collects the rows and calls the writer.
 */
export function warningRow(w: Warning, seq: number): WarningsTable {
  return {
    id: w.id,
    sender: pgText(w.sender),
    identifier: pgText(w.identifier),
    status: w.status,
    state: w.state,
    colour: w.colour,
    onset: w.onset,
    expires: w.expires,
    updated_at: w.updatedAt,
    last_seq: seq,
    data: w,
  };
}

export async function writeWarnings(
  trx: Transaction<HistoryTables>,
  rows: Iterable<WarningsTable>,
): Promise<void> {
  const all = [...rows];
  for (let i = 0; i < all.length; i += 200)
    await trx
      .insertInto('warnings')
      .values(all.slice(i, i + 200).map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            sender: eb.ref('excluded.sender'),
            identifier: eb.ref('excluded.identifier'),
            status: eb.ref('excluded.status'),
            state: eb.ref('excluded.state'),
            colour: eb.ref('excluded.colour'),
            onset: eb.ref('excluded.onset'),
            expires: eb.ref('excluded.expires'),
            updated_at: eb.ref('excluded.updated_at'),
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('warnings.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
}

/** The raw CAP messages kept in Redis (`warningRaw`): base64 of the bytes, by message id. */
export type RawMessages = (messageIds: string[]) => Promise<Map<string, { warningId: string; raw: string }>>;

/**
 * The messages the warning events of a batch took, copied as received into `warning_messages`
 * (once each). A message whose raw copy is gone from Redis is left out, never invented.
 */
export async function writeWarningMessages(
  trx: Transaction<HistoryTables>,
  events: readonly LiveEvent[],
  rawOf: RawMessages,
): Promise<void> {
  const wanted = new Map<string, { sender: string; identifier: string; warningId: string; seq: number }>();
  for (const ev of events) {
    if (!ev.type.startsWith('warning.')) continue;
    const w = ev.data as Warning;
    for (const m of w.messages) {
      const id = warningId(m.sender, m.identifier);
      if (!wanted.has(id))
        wanted.set(id, { sender: m.sender, identifier: m.identifier, warningId: w.id, seq: ev.seq });
    }
  }
  if (wanted.size === 0) return;
  const have = new Set(
    (
      await trx
        .selectFrom('warning_messages')
        .select('message_id')
        .where('message_id', 'in', [...wanted.keys()])
        .execute()
    ).map((r) => r.message_id),
  );
  const missing = [...wanted.keys()].filter((id) => !have.has(id));
  if (missing.length === 0) return;
  const raws = await rawOf(missing);
  const rows = missing.flatMap((id) => {
    const r = raws.get(id);
    const m = wanted.get(id)!;
    return r
      ? [
          {
            message_id: id,
            warning_id: m.warningId,
            sender: pgText(m.sender),
            identifier: pgText(m.identifier),
            raw: Buffer.from(r.raw, 'base64'),
            seq: m.seq,
          },
        ]
      : [];
  });
  if (rows.length)
    await trx
      .insertInto('warning_messages')
      .values(rows)
      .onConflict((oc) => oc.column('message_id').doNothing())
      .execute();
}
