import type { CaseRulesInput, Limit, RoutingRule } from './case-rules.ts';

/** One difference between two versions of the case rules, as the admin reviews it before saving. */
export type RuleChange =
  | { kind: 'route'; category: string; streetId?: string; from: string | null; to: string | null }
  | { kind: 'limit'; category: string; step: string; from: string | null; to: string | null }
  | { kind: 'calendar' | 'weights'; field: string; from: string; to: string };

type Doc = Pick<CaseRulesInput, 'routing' | 'limits' | 'calendar' | 'weights'>;

const routeKey = (r: RoutingRule) => `${r.category}|${r.streetId ?? ''}`;
const limitKey = (l: Limit) => `${l.category}|${l.step}`;
const limitText = (l: Limit) => `${l.amount} ${l.unit}`;

function keyed<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  return new Map(items.map((t) => [key(t), t]));
}

/** What saving `next` over `prev` changes, rule by rule (order of rules does not count). */
export function diffRules(prev: Doc, next: Doc): RuleChange[] {
  const out: RuleChange[] = [];
  const pr = keyed(prev.routing, routeKey);
  const nr = keyed(next.routing, routeKey);
  for (const k of new Set([...pr.keys(), ...nr.keys()])) {
    const a = pr.get(k);
    const b = nr.get(k);
    if (a?.departmentId === b?.departmentId) continue;
    const r = (a ?? b)!;
    out.push({
      kind: 'route',
      category: r.category,
      ...(r.streetId ? { streetId: r.streetId } : {}),
      from: a?.departmentId ?? null,
      to: b?.departmentId ?? null,
    });
  }
  const pl = keyed(prev.limits, limitKey);
  const nl = keyed(next.limits, limitKey);
  for (const k of new Set([...pl.keys(), ...nl.keys()])) {
    const a = pl.get(k);
    const b = nl.get(k);
    const from = a ? limitText(a) : null;
    const to = b ? limitText(b) : null;
    if (from === to) continue;
    const l = (a ?? b)!;
    out.push({ kind: 'limit', category: l.category, step: l.step, from, to });
  }
  const fields = <T extends object>(kind: 'calendar' | 'weights', a: T, b: T) => {
    for (const f of Object.keys({ ...a, ...b }) as (keyof T)[]) {
      const from = JSON.stringify(a[f]);
      const to = JSON.stringify(b[f]);
      if (from !== to) out.push({ kind, field: String(f), from, to });
    }
  };
  fields('calendar', prev.calendar, next.calendar);
  fields('weights', prev.weights, next.weights);
  return out;
}
