import { z } from 'zod';
import { text } from './text.ts';

export const GridLevel = z.enum(['district', 'street', 'community']);
export type GridLevel = z.infer<typeof GridLevel>;

export const GridProperties = z.object({
  id: z.string().min(1),
  level: GridLevel,
  parentId: z.string().nullable(),
  name: text.line(200),
  /** Where the outline comes from: a shipped boundary or one generated for the demo. */
  boundarySource: z.enum(['package', 'generated']).optional(),
});
export type GridProperties = z.infer<typeof GridProperties>;

const Position = z.tuple([z.number(), z.number()]);
const Ring = z.array(Position).min(4);
const Polygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(Ring).min(1) });
const MultiPolygon = z.object({
  type: z.literal('MultiPolygon'),
  coordinates: z.array(z.array(Ring).min(1)).min(1),
});

export const GridFeature = z.object({
  type: z.literal('Feature'),
  properties: GridProperties,
  geometry: z.union([Polygon, MultiPolygon]),
});
export type GridFeature = z.infer<typeof GridFeature>;

export const GridCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(GridFeature),
});
export type GridCollection = z.infer<typeof GridCollection>;
