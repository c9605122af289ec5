import { isScoped, type Role } from '../../shared/common.ts';
import type { GridCollection } from '../../shared/grid.ts';
import { departments } from '../data/departments.ts';
import { DomainError } from '../services/errors.ts';

/** What a scoped user is bound to: a `subcentre` to a street, a `department` to a department. */
export type Binding = { streetId?: string; departmentId?: string };

/** The streets of the grid and the departments a binding may name (id → name). */
export type KnownBindings = {
  streets: ReadonlyMap<string, string>;
  departments: ReadonlyMap<string, string>;
};

export function knownBindings(grids: GridCollection): KnownBindings {
  return {
    streets: new Map(
      grids.features
        .filter((f) => f.properties.level === 'street')
        .map((f) => [f.properties.id, f.properties.name]),
    ),
    departments: new Map(departments(grids).map((d) => [d.id, d.name])),
  };
}

/**
 * The binding a role needs, checked: a `subcentre` names an existing street, a `department` an
 * existing department, an operator neither (it sees the whole district; a stray binding would
 * read as a scope it does not have). Every problem is named, as the API names bad fields.
 */
export function checkBinding(role: Role, b: Binding, known: KnownBindings): Binding {
  const issues: { path: string; message: string }[] = [];
  const need = (field: 'streetId' | 'departmentId', map: ReadonlyMap<string, string>, what: string) => {
    const v = b[field];
    if (v === undefined) issues.push({ path: field, message: `role "${role}" needs a ${what}` });
    else if (!map.has(v)) issues.push({ path: field, message: `unknown ${what} "${v}"` });
  };
  const none = (field: 'streetId' | 'departmentId') => {
    if (b[field] !== undefined)
      issues.push({ path: field, message: `role "${role}" is not bound to a ${field.slice(0, -2)}` });
  };
  if (role === 'subcentre') {
    need('streetId', known.streets, 'street');
    none('departmentId');
  } else if (role === 'department') {
    need('departmentId', known.departments, 'department');
    none('streetId');
  } else {
    none('streetId');
    none('departmentId');
  }
  if (issues.length)
    throw new DomainError(400, 'invalid_request', issues.map((i) => i.message).join('; '), issues);
  if (!isScoped(role)) return {};
  return role === 'subcentre' ? { streetId: b.streetId! } : { departmentId: b.departmentId! };
}
