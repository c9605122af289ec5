import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Id } from './common.ts';
import { FieldReportInput, IncidentIntake, IncidentPatch } from './incident.ts';
import { ModeInput, StandDownInput, TaskPatch } from './operation.ts';
import { ResourcePatch } from './resource.ts';
import { codePointLength, isInvisible, isWellFormed, text, truncate } from './text.ts';
import { VideoAlertIntake } from './video-alert.ts';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const good = {
  source: 'hotline-12345',
  kind: 'case',
  category: 'traffic',
  title: '路口信号灯故障',
  location: { lng: 116.31, lat: 39.98 },
};

function issues(schema: z.ZodType, value: unknown) {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('user text rules', () => {
  it('refuses a lone surrogate in every user-text field a client sends, naming the field', () => {
    const bad = `火${LONE_HIGH}灾`;
    const cases: [z.ZodType, unknown, string][] = [
      [IncidentIntake, { ...good, title: bad }, 'title'],
      [IncidentIntake, { ...good, source: bad }, 'source'],
      [IncidentIntake, { ...good, externalId: bad }, 'externalId'],
      [IncidentIntake, { ...good, description: bad }, 'description'],
      [IncidentIntake, { ...good, address: bad }, 'address'],
      [IncidentPatch, { status: 'verified', note: bad }, 'note'],
      [FieldReportInput, { text: bad }, 'text'],
      [ModeInput, { state: 'wartime', reason: bad }, 'reason'],
      [StandDownInput, { summary: bad }, 'summary'],
      [TaskPatch, { status: 'done', note: bad }, 'note'],
      [ResourcePatch, { status: 'available', note: bad }, 'note'],
      [VideoAlertIntake, { cameraId: bad, type: 'fire', confidence: 0.5 }, 'cameraId'],
      [VideoAlertIntake, { cameraId: 'C', type: 'fire', confidence: 0.5, externalId: bad }, 'externalId'],
      [
        VideoAlertIntake,
        { cameraId: 'C', type: 'fire', confidence: 0.5, snapshotUrl: `https://a.example/${LONE_LOW}` },
        'snapshotUrl',
      ],
    ];
    for (const [schema, value, path] of cases) {
      const found = issues(schema, value);
      expect(found, path).toEqual([{ path, message: expect.stringMatching(/ill-formed/) }]);
    }
  });

  it('refuses control characters; multi-line fields allow only line breaks and tabs', () => {
    expect(issues(IncidentIntake, { ...good, title: '火灾\u0007' })[0]).toMatchObject({
      path: 'title',
      message: expect.stringContaining('U+0007'),
    });
    expect(issues(IncidentIntake, { ...good, title: '火\n灾' })[0].path).toBe('title');
    expect(issues(IncidentIntake, { ...good, title: '火\u0085灾' })[0].message).toContain('U+0085');
    expect(issues(IncidentIntake, { ...good, description: '第一行\n\t第二行' })).toEqual([]);
    expect(issues(IncidentIntake, { ...good, description: 'a\u001bb' })[0].path).toBe('description');
    // CRLF (and a lone CR) from Windows systems is one line break, stored as \n.
    expect(IncidentIntake.parse({ ...good, description: '一\r\n二\r三' }).description).toBe('一\n二\n三');
    expect(issues(IncidentIntake, { ...good, title: 'a\rb' })[0].path).toBe('title');
    expect(issues(FieldReportInput, { text: '现场\n已控制' })).toEqual([]);
  });

  it('refuses titles and reasons that show nothing', () => {
    for (const blank of ['', '   ', '\u200b\u200d', '\u2060\ufeff', '\u3000\u00a0', '\u202e', '\u3164']) {
      expect(issues(IncidentIntake, { ...good, title: blank }), JSON.stringify(blank)).toEqual([
        { path: 'title', message: expect.stringMatching(/visible/) },
      ]);
    }
    expect(issues(ModeInput, { state: 'wartime', reason: '\u200b' })[0].path).toBe('reason');
    expect(issues(FieldReportInput, { text: ' \u200b\n' })[0].path).toBe('text');
    expect(issues(Id, '\u200b')).toHaveLength(1);
  });

  it('counts limits in code points, so emoji and rare CJK count as one', () => {
    const emoji200 = '🔥'.repeat(200);
    expect(emoji200.length).toBe(400);
    expect(issues(IncidentIntake, { ...good, title: emoji200 })).toEqual([]);
    expect(issues(IncidentIntake, { ...good, title: emoji200 + '🔥' })[0]).toMatchObject({
      path: 'title',
      message: expect.stringContaining('at most 200'),
    });
    expect(issues(IncidentIntake, { ...good, title: '𠀀'.repeat(200) })).toEqual([]);
  });

  it('still trims titles and keeps what is accepted', () => {
    expect(IncidentIntake.parse({ ...good, title: '  火灾  ' }).title).toBe('火灾');
    expect(text.id().parse(' a ')).toBe(' a ');
  });

  it('refuses unknown fields in client bodies', () => {
    expect(issues(IncidentIntake, { ...good, extra: 1 })).toHaveLength(1);
    expect(issues(ModeInput, { state: 'wartime', reason: 'x', extra: 1 })).toHaveLength(1);
  });
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    const s = 'a' + '😀'.repeat(200);
    const cut = truncate(s, 140);
    expect(isWellFormed(cut)).toBe(true);
    expect(codePointLength(cut)).toBe(140);
    expect(cut.endsWith('😀…')).toBe(true);
    // Where slice(0, 140) would have cut the 70th emoji in half.
    expect(isWellFormed(s.slice(0, 140))).toBe(false);
  });

  it('keeps grapheme clusters whole and leaves short text alone', () => {
    const family = '👨‍👩‍👧';
    expect(truncate(`ab${family}cd`, 4)).toBe('ab…');
    expect(truncate('e\u0301e\u0301e\u0301', 3)).toBe('e\u0301…');
    expect(truncate('短句', 140)).toBe('短句');
    expect(truncate('🔥'.repeat(5), 5)).toBe('🔥'.repeat(5));
  });
});

describe('client bodies are strict all the way down', () => {
  it('refuses an unknown key inside location, naming it', () => {
    expect(issues(IncidentIntake, { ...good, location: { lng: 116.31, lat: 39.98, alt: 50 } })).toEqual([
      { path: 'location', message: expect.stringMatching(/alt/) },
    ]);
    expect(
      issues(ResourcePatch, { status: 'en_route', location: { lng: 116.31, lat: 39.98, __proto__x: 1 } }),
    ).toHaveLength(1);
  });
});

describe('properties (fast-check; FC_SEED=<seed> replays a failure)', () => {
  const seed = Number(process.env.FC_SEED ?? 20261201);
  // Any UTF-16 code units, lone surrogates and controls included, mixed with emoji and CJK.
  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('🔥', '👨‍👩‍👧', 'e\u0301', '火', '𠀀', '\u200b', '\n', ' '),
  );
  const anyText = fc.string({ unit, maxLength: 300 });

  it('truncate keeps well-formed text well-formed, within the limit, a prefix of the original', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 250 }), (s, n) => {
        const t = truncate(s, n);
        if (codePointLength(s) <= n) return t === s;
        const body = t.slice(0, -1);
        return (
          t.endsWith('…') &&
          s.startsWith(body) &&
          codePointLength(t) <= n &&
          (!isWellFormed(s) || isWellFormed(t))
        );
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('whatever a title schema accepts is well-formed, one line, visible and within its length', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = IncidentIntake.shape.title.safeParse(s);
        if (!r.success) return r.error.issues.length > 0;
        const v = r.data;
        return (
          isWellFormed(v) &&
          ![...v].some(
            (c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f),
          ) &&
          !isInvisible(v) &&
          codePointLength(v) <= 200
        );
      }),
      { seed, numRuns: 2000 },
    );
  });
});
