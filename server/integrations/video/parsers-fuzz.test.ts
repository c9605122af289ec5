import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32, pick, type Rand } from '../../../shared/random.ts';
import { parseHikvisionBody } from './hikvision.ts';
import { parseOnvif } from './onvif.ts';
import { parseFrigate } from './frigate.ts';
import { fixture, frigateMessage, hikvisionMultipart } from './fixtures/variants.ts';
import type { ParseResult } from './vendor-event.ts';

/** Hostile input: published payloads mutated (seeded). Every parser answers, never throws. */

const PIECES = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#0;',
  '"',
  "'",
  '</',
  '/>',
  '<!DOCTYPE x>',
  ']]>',
  '\u0000',
  '\ud800',
  'xmlns:a="b"',
  '--boundary',
  '\r\n\r\n',
  '{',
  '}',
  '//',
  'null',
  '1e999',
];

function mutate(rand: Rand, s: string): string {
  let out = s;
  for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
    const at = Math.floor(rand() * (out.length + 1));
    const op = Math.floor(rand() * 4);
    if (op === 0) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 20));
    else if (op === 1) out = out.slice(0, at) + pick(rand, PIECES) + out.slice(at);
    else if (op === 2) out = out.slice(0, at);
    else out = out.slice(0, at) + out.slice(Math.floor(rand() * out.length), at) + out.slice(at);
  }
  return out;
}

function wellFormed(r: ParseResult) {
  if (r.ok) expect(Array.isArray(r.events)).toBe(true);
  else {
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems)
      expect(typeof p.path === 'string' && typeof p.message === 'string' && p.message !== '').toBe(true);
  }
}

const files = readdirSync(new URL('./fixtures/', import.meta.url));
const opts = { receivedAt: 0 };

describe('parsers on mutated published payloads (seeded)', () => {
  it('Hikvision XML and multipart', () => {
    const rand = mulberry32(12);
    const xmls = files
      .filter((f) => f.startsWith('hikvision-') || f.startsWith('moonfire-'))
      .map((f) => fixture(f).toString('latin1'));
    const multipart = Buffer.from(
      hikvisionMultipart('hikvision-next-fielddetection_human.xml').body,
    ).toString('latin1');
    for (let i = 0; i < 600; i++) {
      const multi = rand() < 0.3;
      const text = mutate(rand, multi ? multipart : pick(rand, xmls));
      const body = new Uint8Array(Buffer.from(text, 'latin1'));
      wellFormed(
        parseHikvisionBody(body, multi ? 'multipart/form-data; boundary=boundary' : 'application/xml', opts),
      );
    }
  });

  it('ONVIF', () => {
    const rand = mulberry32(34);
    const xmls = files.filter((f) => f.startsWith('axis-')).map((f) => fixture(f).toString('utf8'));
    for (let i = 0; i < 600; i++) wellFormed(parseOnvif(mutate(rand, pick(rand, xmls)), opts));
  });

  it('Frigate', () => {
    const rand = mulberry32(56);
    const jsons = [
      JSON.stringify(frigateMessage('events', 'update')),
      JSON.stringify(frigateMessage('reviews', 'new')),
    ];
    for (let i = 0; i < 600; i++) wellFormed(parseFrigate(mutate(rand, pick(rand, jsons)), opts));
  });
});
