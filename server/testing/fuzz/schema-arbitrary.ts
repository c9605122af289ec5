import fc from 'fast-check';
import { z, type ZodType } from 'zod';
import { textSpec } from './text.ts';

/** The part of JSON Schema that `z.toJSONSchema` emits for the shared request schemas. */
type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  format?: string;
  items?: JsonSchema;
};

/** Field paths ("location.lng") whose values must come from the running server (ids) or a fixed set. */
export type Overrides = Record<string, fc.Arbitrary<unknown>>;

const isoTime = fc.oneof(
  fc
    .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom('2026-01-01T08:00:00+08:00', '2026-12-01T00:00:00.123456789Z', '2026-02-29T00:00:00Z'),
);

const url = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'] }),
  fc.constantFrom(
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:6379/',
    'https://camera.example.cn/snap.jpg',
    'http://[::1]/x.jpg',
    'https://xn--fiq228c.example/x.jpg',
  ),
);

/**
 * Valid-shaped values for a JSON Schema generated from a shared zod schema. Strings carry text
 * from every plane and known hazards (the schema may or may not refuse those: either answer is
 * allowed, a 5xx or a frozen entity is not).
 */
function arb(s: JsonSchema, overrides: Overrides, path: string): fc.Arbitrary<unknown> {
  const o = overrides[path];
  if (o) return o;
  if (s.anyOf ?? s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map((x) => arb(x, overrides, path)));
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'object': {
      const props = s.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = arb(v, overrides, path ? `${path}.${k}` : k);
      return fc.record(record, { requiredKeys: s.required ?? [] });
    }
    case 'string': {
      if (s.format === 'date-time') return isoTime;
      if (s.format === 'uri') return url;
      return textSpec(s.maxLength ?? 1000);
    }
    case 'integer': {
      const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? -1e6);
      return fc.integer({ min, max: Math.min(s.maximum ?? 1e6, 1e9) });
    }
    case 'number':
      return fc.oneof(
        fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(...[s.minimum, s.maximum, 0].filter((x): x is number => x !== undefined)),
      );
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arb(s.items ?? {}, overrides, `${path}[]`), { maxLength: 4 });
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Bodies shaped by a shared zod schema (its input side), with some fields drawn from `overrides`. */
export function validBody(schema: ZodType, overrides: Overrides = {}): fc.Arbitrary<Record<string, unknown>> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return arb(js, overrides, '') as fc.Arbitrary<Record<string, unknown>>;
}

/** The keys a schema declares, for query strings and unknown-field mutations. */
export function schemaKeys(schema: ZodType): string[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return Object.keys(js.properties ?? {});
}
