import type { Mode } from '../../shared/common.ts';
import type { Resource, ResourceSeed } from '../../shared/resource.ts';
import type { EventStore } from '../repositories/event-store.ts';
import type { StateRepository } from '../repositories/state.repository.ts';

/** Loads the district's resources into an empty store; a store with data is left as it is. */
export async function seedIfEmpty(
  store: EventStore,
  state: StateRepository,
  resources: ResourceSeed[],
  now = new Date(),
): Promise<boolean> {
  if ((await state.countResources()) > 0) return false;
  const at = now.toISOString();
  const mode: Mode & { version: number } = { state: 'peacetime', since: at, operationIds: [], version: 1 };
  const res = await store.commit(
    {
      idempotencyKey: 'seed:v1',
      expect: [{ hash: 'meta', id: 'mode', version: null }],
      put: [
        { hash: 'meta', id: 'mode', value: mode },
        ...resources.map((r) => {
          const value: Resource = {
            ...r,
            status: 'available',
            location: r.home,
            incidentId: null,
            operationId: null,
            dispatchId: null,
            updatedAt: at,
            version: 1,
          };
          return { hash: 'resources' as const, id: r.id, value };
        }),
      ],
      events: [],
    },
    now,
  );
  return res.status === 'ok';
}
