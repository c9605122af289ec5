import { distanceM } from '../../shared/common.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Dispatch } from '../../shared/operation.ts';
import type { Resource } from '../../shared/resource.ts';
import { conflict } from '../infra/domain-errors.ts';
import { etaMin } from './proposals.ts';

/**
 * A resource sent to an incident: the dispatch record and the resource as it becomes. One place,
 * so a dispatch on its own (`POST /api/v1/dispatches`) and those an activation makes in its commit
 * are the same record. Throws the 409 naming the resource when it is not available.
 */
export function dispatchResourceTo(
  resource: Resource,
  incident: Incident,
  ctx: { id: string; operationId: string | null; at: string; actor: string },
): { dispatch: Dispatch; resource: Resource } {
  if (resource.status !== 'available')
    throw conflict(`resource ${resource.id} is ${resource.status}, not available`);
  const d = distanceM(resource.location, incident.location);
  return {
    dispatch: {
      id: ctx.id,
      resourceId: resource.id,
      incidentId: incident.id,
      operationId: ctx.operationId,
      at: ctx.at,
      actor: ctx.actor,
      distanceM: Math.round(d),
      etaMin: etaMin(resource.type, d),
    },
    resource: {
      ...resource,
      status: 'dispatched',
      incidentId: incident.id,
      operationId: ctx.operationId,
      dispatchId: ctx.id,
      updatedAt: ctx.at,
      version: resource.version + 1,
    },
  };
}
