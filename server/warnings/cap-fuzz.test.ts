import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCap } from './cap-parse.ts';
import { writeCap } from './cap-write.ts';
import { fixture } from './fixtures/broken-variants.ts';

/**
 * Mutated real messages (seeded, so a failure replays): the parser answers with problems or an
 * alert, never an exception; whatever it accepts, CAP out can write and read back unchanged.
 */
const BASES = [
  'spec12-a2.xml',
  'spec12-a3.xml',
  'spec11-a1.xml',
  'google-australia.xml',
  'own-haidian-rainstorm.xml',
];
const PIECES = [
  '<',
  '>',
  '&',
  '&amp;',
  '"',
  "'",
  ',',
  ' ',
  '\n',
  '-',
  '+',
  '0',
  '9',
  '.',
  'Z',
  ':',
  'T',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '</info>',
  '<info>',
  'xmlns:c="urn:oasis:names:tc:emergency:cap:1.2"',
  '<!DOCTYPE a>',
  '&#0;',
  '&#x4E2D;',
  '中',
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), piece: fc.constantFrom(...PIECES) }),
  fc.record({
    kind: fc.constant('copy' as const),
    at: fc.nat(),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 80 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(xml: string, m: Mutation): string {
  const at = m.at % (xml.length + 1);
  if (m.kind === 'delete') return xml.slice(0, at) + xml.slice(at + m.length);
  if (m.kind === 'insert') return xml.slice(0, at) + m.piece + xml.slice(at);
  const from = m.from % (xml.length + 1);
  return xml.slice(0, at) + xml.slice(from, from + m.length) + xml.slice(at);
}

describe('CAP in, fuzzed', () => {
  it('answers every mutated message with problems or an alert that survives CAP out', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...BASES),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (base, ms) => {
          const xml = ms.reduce(apply, fixture(base));
          const r = parseCap(xml);
          if (!r.ok) {
            expect(r.problems.length).toBeGreaterThan(0);
            for (const p of r.problems) expect(typeof p.message).toBe('string');
            return;
          }
          accepted++;
          const back = parseCap(writeCap(r.alert));
          // CAP 1.2 requires the mimeType a 1.1 resource may omit: the one thing CAP out adds.
          const expected = structuredClone(r.alert);
          for (const info of expected.infos)
            for (const res of info.resources) res.mimeType ??= 'application/octet-stream';
          expect(back.ok ? back.alert : back.problems).toEqual(expected);
        },
      ),
      { seed: 12, numRuns: 1000 },
    );
    // Both sides are exercised: some mutations are harmless (inside text), most are not.
    expect(accepted).toBeGreaterThan(50);
  }, 30_000); // ~1 s alone; room for shared CI cores
});
