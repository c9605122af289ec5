import { sql, type Transaction } from 'kysely';
import type { Incident } from '../../shared/incident.ts';
import type { Operation } from '../../shared/operation.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { CasesTable, HistoryTables, OperationsTable } from './db.ts';
import { pgJson, pgText } from './pg-text.ts';

/** The read models, emptied by a rebuild; `events` and `projection` are not among them. */
export const READ_MODEL_TABLES = ['cases', 'operations', 'mode_changes'] as const;

/**
 * Writes a batch of events, in seq order and each for the first time, into the read models. The
 * one projection code: the live projector and `rebuildReadModels` both call it, so a rebuild
 * yields the rows live projection did. Events carry whole entities today, so each entity's last
 * event in the batch is its row; `last_seq` keeps an older event from overwriting a newer row.
 */
export async function applyToReadModels(trx: Transaction<HistoryTables>, events: LiveEvent[]): Promise<void> {
  const cases = new Map<string, CasesTable>();
  const operations = new Map<string, OperationsTable>();
  const modes: { seq: number; state: string; at: string; actor: string | null; reason: string | null }[] = [];
  for (const ev of events) {
    switch (ev.type) {
      case 'incident.created':
      case 'incident.updated': {
        const row = caseRow(ev.data, ev.seq);
        const prior = cases.get(row.id);
        // closed_at is when it first became closed: keep the earlier moment within the batch
        if (row.status === 'closed') row.closed_at = prior?.closed_at ?? ev.at;
        cases.set(row.id, row);
        break;
      }
      case 'operation.activated':
      case 'operation.updated':
      case 'operation.stood_down':
        operations.set(ev.data.id, operationRow(ev.data, ev.seq));
        break;
      case 'mode.changed':
        modes.push({
          seq: ev.seq,
          state: ev.data.state,
          at: ev.at,
          actor: pgText(ev.actor ?? ev.data.actor ?? null),
          reason: pgText(ev.data.reason ?? null),
        });
        break;
      default:
        // Kept in `events` only, for now: their read models come with the later phases.
        break;
    }
  }
  if (cases.size) {
    await trx
      .insertInto('cases')
      .values([...cases.values()].map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            category: eb.ref('excluded.category'),
            title: eb.ref('excluded.title'),
            description: eb.ref('excluded.description'),
            address: eb.ref('excluded.address'),
            status: eb.ref('excluded.status'),
            severity: eb.ref('excluded.severity'),
            street_id: eb.ref('excluded.street_id'),
            community_id: eb.ref('excluded.community_id'),
            created_at: eb.ref('excluded.created_at'),
            updated_at: eb.ref('excluded.updated_at'),
            closed_at: sql`case when excluded.status = 'closed' then coalesce(cases.closed_at, excluded.closed_at) end`,
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('cases.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
  }
  if (operations.size) {
    await trx
      .insertInto('operations')
      .values([...operations.values()].map((r) => ({ ...r, data: pgJson(r.data) })))
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            incident_id: eb.ref('excluded.incident_id'),
            plan_id: eb.ref('excluded.plan_id'),
            status: eb.ref('excluded.status'),
            activated_at: eb.ref('excluded.activated_at'),
            stood_down_at: eb.ref('excluded.stood_down_at'),
            last_seq: eb.ref('excluded.last_seq'),
            data: eb.ref('excluded.data'),
          }))
          .where('operations.last_seq', '<', (eb) => eb.ref('excluded.last_seq')),
      )
      .execute();
  }
  if (modes.length) {
    await trx
      .insertInto('mode_changes')
      .values(modes)
      .onConflict((oc) => oc.column('seq').doNothing())
      .execute();
  }
}

function caseRow(inc: Incident, seq: number): CasesTable {
  return {
    id: inc.id,
    kind: inc.kind,
    category: inc.category,
    title: pgText(inc.title),
    description: pgText(inc.description ?? null),
    address: pgText(inc.address ?? null),
    status: inc.status,
    severity: inc.severity,
    street_id: inc.streetId ?? null,
    community_id: inc.communityId ?? null,
    created_at: inc.createdAt,
    updated_at: inc.updatedAt,
    closed_at: null,
    last_seq: seq,
    data: inc,
  };
}

function operationRow(op: Operation, seq: number): OperationsTable {
  return {
    id: op.id,
    incident_id: op.incidentId,
    plan_id: op.planId,
    status: op.status,
    activated_at: op.activatedAt,
    stood_down_at: op.stoodDownAt ?? null,
    last_seq: seq,
    data: op,
  };
}
