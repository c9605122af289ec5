import { z } from 'zod';
import { text } from './text.ts';
import { Id, IsoTime, LngLat, LngLatInput } from './common.ts';

export const RESOURCE_TYPES = [
  'fire_engine',
  'ambulance',
  'rescue_team',
  'police_unit',
  'gas_crew',
  'water_crew',
  'power_crew',
  'excavator',
  'sandbags',
  'supplies',
  'shelter',
] as const;
export const ResourceType = z.enum(RESOURCE_TYPES);
export type ResourceType = z.infer<typeof ResourceType>;

export const RESOURCE_STATUSES = [
  'available',
  'dispatched',
  'en_route',
  'on_scene',
  'returning',
  'out_of_service',
] as const;
export const ResourceStatus = z.enum(RESOURCE_STATUSES);
export type ResourceStatus = z.infer<typeof ResourceStatus>;

/** Allowed status transitions; anything else is a 409. */
export const RESOURCE_TRANSITIONS: Record<ResourceStatus, readonly ResourceStatus[]> = {
  available: ['dispatched', 'out_of_service'],
  dispatched: ['en_route', 'returning', 'out_of_service'],
  en_route: ['on_scene', 'returning', 'out_of_service'],
  on_scene: ['returning', 'out_of_service'],
  returning: ['available', 'out_of_service'],
  out_of_service: ['available'],
};

/** Stockpiles and shelters do not drive; they are allocated where they stand. */
export const STATIC_RESOURCE_TYPES: readonly ResourceType[] = ['sandbags', 'supplies', 'shelter'];

/** A resource as kept in the demo data files. */
export const ResourceSeed = z.object({
  id: Id,
  name: text.line(200),
  type: ResourceType,
  unit: text.line(200),
  home: LngLat,
  homeName: text.line(200),
  capacity: text.plainLine(200).optional(),
});
export type ResourceSeed = z.infer<typeof ResourceSeed>;

export const Resource = ResourceSeed.extend({
  status: ResourceStatus,
  location: LngLat,
  incidentId: Id.nullable(),
  operationId: Id.nullable(),
  dispatchId: Id.nullable(),
  updatedAt: IsoTime,
  version: z.number().int().min(1),
});
export type Resource = z.infer<typeof Resource>;

export const ResourcePatch = z.strictObject({
  status: ResourceStatus,
  location: LngLatInput.optional(),
  note: text.multiline(500).optional(),
});
export type ResourcePatch = z.infer<typeof ResourcePatch>;
