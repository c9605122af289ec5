/**
 * The people behind the actors (GET /api/v1/people), loaded once per page on first use, so a
 * view only swaps `x.actor` for `people.nameOf(x.actor)`. Until loaded, and for a role that may
 * not read the list, an actor shows as it is.
 */
import type { Person } from '../../../shared/people.ts';
import { ApiError, getPeople } from './api.ts';
import { displayNameOf, indexPeople, type PeopleIndex } from './people.ts';

class People {
  private index = $state.raw<PeopleIndex>(new Map());
  private loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.loading ??= getPeople()
      .then((l: Person[]) => {
        this.index = indexPeople(l);
      })
      .catch((e: unknown) => {
        // A scoped role may not read the list (403): raw actors for good, no asking again on
        // every render. Offline or a 5xx: raw actors for now, asked again on a use 30 s on.
        if (e instanceof ApiError && e.status === 403) return;
        setTimeout(() => (this.loading = null), 30_000);
      });
    return this.loading;
  }

  /** Everyone known, for pickers (the audit's actor filter). */
  get list(): Person[] {
    if (!this.loading) void this.load();
    return [...this.index.values()];
  }

  /** The display name of an actor (李强 for `commander`), the raw actor when unknown. */
  nameOf(actor: string | null | undefined): string {
    // The first use starts the load; the answer lands asynchronously, never inside this read.
    if (!this.loading) void this.load();
    return displayNameOf(this.index, actor);
  }
}

export const people = new People();
