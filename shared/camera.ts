import { z } from 'zod';
import { text } from './text.ts';
import { Id, LngLat } from './common.ts';

export const Camera = z.object({
  id: Id,
  name: text.line(200),
  location: LngLat,
  streetId: z.string().nullable(),
  communityId: z.string().nullable(),
  kind: z.enum(['road', 'community', 'public_space', 'river', 'market']),
});
export type Camera = z.infer<typeof Camera>;
