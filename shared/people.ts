import { z } from 'zod';
import { Role } from './common.ts';
import { text } from './text.ts';

/**
 * Who an event's `actor` is, for showing people by name (李强), not by account (`commander`):
 * an account (`kind: "user"`, its role) or an integration (`kind: "system"`, named by INTAKE_KEYS;
 * its display name is that name). Actors that are neither (`system:timer` …) are not listed.
 */
export const Person = z.object({
  username: z.string(),
  displayName: text.stored(),
  kind: z.enum(['user', 'system']),
  role: Role.optional(),
});
export type Person = z.infer<typeof Person>;

export const PeopleAnswer = z.array(Person);
