import type { PendingEvent } from '../../shared/protocol.ts';
import type { Resource, ResourceSeed } from '../../shared/resource.ts';
import type { EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import { modeEvent, type StoredMode } from '../commands/mode.ts';

export const SEED_ACTOR = 'system:seed';

/**
 * Loads the district's resources into an empty store; a store with data is left as it is. Through
 * real events (`mode.changed`, then a `resource.updated` per resource), in one commit, so that
 * replaying the log from seq 1 rebuilds the state and the database has every resource's start.
 */
export async function seedIfEmpty(
  store: EventStore,
  state: StateRepository,
  resources: ResourceSeed[],
  now = new Date(),
): Promise<boolean> {
  if ((await state.countResources()) > 0) return false;
  const at = now.toISOString();
  const mode: StoredMode = { state: 'peacetime', since: at, operationIds: [], version: 1 };
  const values: Resource[] = resources.map((r) => ({
    ...r,
    status: 'available',
    location: r.home,
    incidentId: null,
    operationId: null,
    dispatchId: null,
    updatedAt: at,
    version: 1,
  }));
  const events: PendingEvent[] = [
    modeEvent(mode, SEED_ACTOR),
    ...values.map((r): PendingEvent => ({ type: 'resource.updated', actor: SEED_ACTOR, data: r })),
  ];
  const res = await store.commit(
    {
      idempotencyKey: 'seed:v1',
      expect: [{ hash: 'meta', id: 'mode', version: null }],
      put: [
        { hash: 'meta', id: 'mode', value: mode },
        ...values.map((value) => ({ hash: 'resources' as const, id: value.id, value })),
      ],
      events,
    },
    now,
  );
  return res.status === 'ok';
}
