/**
 * Showing an event's actor as a person: `commander` → 指挥长 李强, an integration by its name.
 * Pure (the cached list is people.svelte.ts).
 */
import type { Person } from '../../../shared/people.ts';

export type PeopleIndex = ReadonlyMap<string, Person>;

export function indexPeople(list: readonly Person[]): PeopleIndex {
  return new Map(list.map((p) => [p.username, p]));
}

/**
 * The display name of `actor`; an actor the list does not hold (a timer's `system:…`, a removed
 * account, a scoped user who may not read the list) is shown as it is, never hidden.
 */
export function displayNameOf(index: PeopleIndex, actor: string | null | undefined): string {
  if (!actor) return '';
  return index.get(actor)?.displayName ?? actor;
}
