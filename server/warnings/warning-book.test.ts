import { describe, expect, it } from 'vitest';
import { Warning } from '../../shared/warning.ts';
import { parseCap } from './cap-parse.ts';
import type { CapAlert } from './cap-model.ts';
import { fixture } from './fixtures/broken-variants.ts';
import { applyCap, type BookOptions, type BookOutcome, type WarningLookup } from './warning-book.ts';

const alertOf = (name: string): CapAlert => {
  const r = parseCap(fixture(name));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.alert;
};

const DAY = 86_400_000;
const opts = (now: number): BookOptions => ({
  now,
  defaultExpiryMs: DAY,
  newId: (sender, identifier) => `w:${sender}/${identifier}`,
});

/** The warnings held, found by any message of their thread (what the service's alias index does). */
class Book {
  readonly byId = new Map<string, Warning>();
  readonly alias = new Map<string, string>();
  lookup: WarningLookup = (s, i) => {
    const id = this.alias.get(`${s} ${i}`);
    return id ? this.byId.get(id) : undefined;
  };
  apply(a: CapAlert, now: number): BookOutcome {
    const out = applyCap(a, this.lookup, opts(now));
    const keep = (w: Warning, aliasOf = w.id) => {
      expect(Warning.safeParse(w).success, JSON.stringify(Warning.safeParse(w).error?.issues)).toBe(true);
      this.byId.set(w.id, w);
      this.alias.set(`${a.sender} ${a.identifier}`, aliasOf);
    };
    if (out.kind === 'issued') keep(out.warning);
    if (out.kind === 'updated') {
      for (const w of out.superseded) keep(w, out.warning.id);
      keep(out.warning);
    }
    if (out.kind === 'cancelled') for (const w of out.warnings) keep(w, out.warnings[0].id);
    return out;
  }
}

const RAIN = alertOf('own-haidian-rainstorm.xml');
const RAIN_SENT = Date.parse('2026-07-18T10:30:00+08:00');

/** The rainstorm warning's thread as the meteorological office would continue it. */
function followUp(
  msgType: 'Update' | 'Cancel',
  identifier: string,
  sentIso: string,
  from: CapAlert[],
): CapAlert {
  return {
    ...RAIN,
    identifier,
    sent: sentIso,
    msgType,
    references: from.map((f) => ({ sender: f.sender, identifier: f.identifier, sent: f.sent })),
  };
}

describe('a CAP message against the warnings held', () => {
  it('an Alert issues a warning: colour, the Chinese info, times, the area as GeoJSON', () => {
    const b = new Book();
    const out = b.apply(RAIN, RAIN_SENT + 60_000);
    expect(out.kind).toBe('issued');
    const w = (out as Extract<BookOutcome, { kind: 'issued' }>).warning;
    expect(w).toMatchObject({
      sender: RAIN.sender,
      identifier: RAIN.identifier,
      status: 'Actual',
      msgType: 'Alert',
      routing: 'live',
      state: 'active',
      colour: 'yellow',
      capSeverity: 'Moderate',
      expires: new Date(Date.parse('2026-07-19T08:00:00+08:00')).toISOString(),
      expiresDefaulted: false,
      version: 1,
    });
    expect(w.language).toMatch(/^zh/);
    expect(w.area.features.length).toBeGreaterThan(0);
    expect(w.messages).toHaveLength(1);
  });

  it('the same (sender, identifier) twice is one warning', () => {
    const b = new Book();
    const first = b.apply(RAIN, RAIN_SENT);
    const again = b.apply(RAIN, RAIN_SENT + 5_000);
    expect(again).toEqual({ kind: 'duplicate', id: (first as { warning: Warning }).warning.id });
  });

  it('an Update replaces the content and keeps the thread; a later one may name any earlier message', () => {
    const b = new Book();
    b.apply(RAIN, RAIN_SENT);
    const up1 = followUp('Update', 'rain-2', '2026-07-18T12:00:00+08:00', [RAIN]);
    up1.infos = up1.infos.map((i) => ({ ...i, severity: 'Severe', headline: '暴雨橙色预警' }));
    const o1 = b.apply(up1, RAIN_SENT + 2 * 3_600_000);
    expect(o1.kind).toBe('updated');
    const w1 = (o1 as Extract<BookOutcome, { kind: 'updated' }>).warning;
    expect(w1).toMatchObject({ identifier: 'rain-2', msgType: 'Update', colour: 'orange', version: 2 });
    expect(w1.headline).toBe('暴雨橙色预警');
    expect(w1.id).toBe(`w:${RAIN.sender}/${RAIN.identifier}`);
    // A second update naming only the first message still finds the thread.
    const up2 = followUp('Update', 'rain-3', '2026-07-18T13:00:00+08:00', [RAIN]);
    const o2 = b.apply(up2, RAIN_SENT + 3 * 3_600_000);
    expect(o2).toMatchObject({ kind: 'updated', warning: { id: w1.id, version: 3, colour: 'yellow' } });
  });

  it('an Update naming two threads carries the newest on and folds the other into it', () => {
    const b = new Book();
    b.apply(RAIN, RAIN_SENT);
    const other = { ...RAIN, identifier: 'rain-west', sent: '2026-07-18T11:00:00+08:00' };
    b.apply(other, RAIN_SENT + 1_800_000);
    const merged = followUp('Update', 'rain-all', '2026-07-18T12:00:00+08:00', [RAIN, other]);
    const out = b.apply(merged, RAIN_SENT + 2 * 3_600_000) as Extract<BookOutcome, { kind: 'updated' }>;
    expect(out.warning.id).toBe(`w:${RAIN.sender}/rain-west`);
    expect(out.superseded).toHaveLength(1);
    expect(out.superseded[0]).toMatchObject({ state: 'superseded', supersededBy: out.warning.id });
  });

  it('a Cancel ends the thread', () => {
    const b = new Book();
    b.apply(RAIN, RAIN_SENT);
    const cancel = followUp('Cancel', 'rain-x', '2026-07-18T15:00:00+08:00', [RAIN]);
    const out = b.apply(cancel, RAIN_SENT + 5 * 3_600_000);
    expect(out).toMatchObject({ kind: 'cancelled', warnings: [{ state: 'cancelled', msgType: 'Cancel' }] });
  });

  it('an Update or Cancel naming a message we never had changes nothing (409), naming it', () => {
    const b = new Book();
    // FEMA's published Cancel, without the alert it cancels.
    const cancel = alertOf('ipaws-5e6dd9de023f1930ef6548d9.xml');
    const out = b.apply(cancel, Date.parse('2019-04-19T12:00:00-06:00'));
    expect(out).toEqual({ kind: 'unknown_reference', unknown: cancel.references });
    expect(b.byId.size).toBe(0);
    // The tsunami centre's published Update, without the warning it updates.
    const tsunami = alertOf('google-wcatwc-warning.xml');
    expect(applyCap(tsunami, () => undefined, opts(0)).kind).toBe('unknown_reference');
  });

  it('Exercise is a drill, Test and System are stored only, Ack and Error change nothing', () => {
    const drill = applyCap({ ...RAIN, status: 'Exercise' }, () => undefined, opts(RAIN_SENT));
    expect(drill).toMatchObject({ kind: 'issued', warning: { routing: 'drill' } });
    for (const status of ['Test', 'System'] as const)
      expect(applyCap({ ...RAIN, status }, () => undefined, opts(RAIN_SENT))).toMatchObject({
        warning: { routing: 'stored' },
      });
    for (const msgType of ['Ack', 'Error'] as const)
      expect(applyCap({ ...RAIN, msgType }, () => undefined, opts(RAIN_SENT))).toEqual({ kind: 'noted' });
  });

  it('without expires the configured default applies; one already past is expired on arrival', () => {
    const noExpiry = { ...RAIN, infos: RAIN.infos.map(({ expires: _e, ...i }) => i) };
    const out = applyCap(noExpiry, () => undefined, opts(RAIN_SENT)) as Extract<
      BookOutcome,
      { kind: 'issued' }
    >;
    expect(out.warning).toMatchObject({
      expires: new Date(RAIN_SENT + DAY).toISOString(),
      expiresDefaulted: true,
      state: 'active',
    });
    const late = applyCap(RAIN, () => undefined, opts(RAIN_SENT + 2 * DAY)) as Extract<
      BookOutcome,
      { kind: 'issued' }
    >;
    expect(late.warning.state).toBe('expired');
  });

  it('a message without any info (the least CAP allows) issues a blue warning with no area', () => {
    const bare = alertOf('google-no_optional_fields.xml');
    const out = applyCap(bare, () => undefined, opts(0)) as Extract<BookOutcome, { kind: 'issued' }>;
    expect(out.warning).toMatchObject({ colour: 'blue', capSeverity: 'Unknown' });
    expect(out.warning.area.features).toEqual([]);
  });

  it('the colour is the most severe info’s (Taiwan’s heat information: Severe and Moderate infos)', () => {
    const heat = alertOf('tw-cwa-heat.xml');
    const out = applyCap(heat, () => undefined, opts(0)) as Extract<BookOutcome, { kind: 'issued' }>;
    expect(out.warning.colour).toBe('orange');
    expect(out.warning.capSeverity).toBe('Severe');
  });
});
