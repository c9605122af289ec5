/**
 * The district's departments (GET /api/v1/departments), loaded once per page, and the names the
 * views write for a department or a street in the current language.
 */
import type { Department } from '../../../shared/case-rules.ts';
import type { GridCollection } from '../../../shared/index.ts';
import { getDepartments } from './api.ts';
import { i18n } from './i18n/index.svelte.ts';

class Departments {
  list = $state.raw<Department[]>([]);
  private loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.loading ??= getDepartments()
      .then((l) => {
        this.list = l;
      })
      .catch(() => {
        // a later view tries again
        this.loading = null;
      });
    return this.loading;
  }

  name(id: string | null | undefined): string {
    if (!id) return '—';
    const d = this.list.find((x) => x.id === id);
    if (!d) return id;
    return i18n.locale === 'en' ? d.nameEn : d.name;
  }
}

export const departments = new Departments();

/** The streets of the grid, as [id, name], in the grid's order. */
export function streetsOf(grid: GridCollection | null): { id: string; name: string }[] {
  if (!grid) return [];
  return grid.features
    .filter((f) => f.properties.level === 'street')
    .map((f) => ({ id: f.properties.id, name: f.properties.name }));
}
