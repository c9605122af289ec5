import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capPath, parseCap, type CapParseResult } from './cap-parse.ts';
import type { CapProblem } from './cap-model.ts';
import { BROKEN_VARIANTS, fixture, FIXTURES_DIR } from './fixtures/broken-variants.ts';

const bytes = (name: string) => readFileSync(new URL(name, FIXTURES_DIR));
const problemsOf = (r: CapParseResult): CapProblem[] => (r.ok ? [] : r.problems);
const ok = (r: CapParseResult) => {
  if (!r.ok) throw new Error(`expected no problems, got ${JSON.stringify(r.problems, null, 2)}`);
  return r;
};

/** Every published fixture (README.md says where each comes from) and what it must give. */
const VALID: Record<string, '1.1' | '1.2'> = {
  'spec12-a1.xml': '1.2',
  'spec12-a2.xml': '1.2',
  'spec12-a3.xml': '1.2',
  'spec12-a4.xml': '1.2',
  'spec11-a1.xml': '1.1',
  'spec11-a2.xml': '1.1',
  'spec11-a3.xml': '1.1',
  'spec11-a4.xml': '1.1',
  'google-australia.xml': '1.2',
  'google-canada.xml': '1.2',
  'google-earthquake.xml': '1.1',
  'google-earthquake-iso8859-1.xml': '1.2',
  'google-weather.xml': '1.1',
  'google-wcatwc-warning.xml': '1.2',
  'google-no_optional_fields.xml': '1.1',
  'google-PAAQ-4-mg5a94.xml': '1.2',
  'ipaws-5e6dd964023f1930ef638846.xml': '1.2',
  'ipaws-5e6dd9de023f1930ef6548d9.xml': '1.2',
  'ipaws-5e6ddbad023f1930ef6c1a5a.xml': '1.2',
  'ipaws-5e7e0fc5023f1930efcf3deb.xml': '1.2',
  'ipaws-5ea321f39fc226a7b44b6874.xml': '1.2',
  'nws-5c2cf27b1f56885d61654dc47fa411d5.xml': '1.1',
  'tw-cwa-earthquake.xml': '1.2',
  'tw-cwa-thunderstorm.xml': '1.2',
  'tw-cwa-extremely-rain.xml': '1.2',
  'tw-cwa-heat.xml': '1.2',
  'tw-cdc-communicable-test.xml': '1.2',
  'own-haidian-rainstorm.xml': '1.2',
};

const INVALID: Record<string, CapProblem[]> = {
  // Google's test data, broken on purpose by its authors.
  'google-invalid.xml': [{ path: 'scope', message: '<scope> is required in <alert>' }],
  'google-canada_errors.xml': [{ path: 'references', message: 'an Update needs <references>' }],
  'google-noaa_errors.xml': [
    { path: 'info[0].urgency', message: '<urgency> must not be empty' },
    { path: 'info[0].severity', message: '<severity> must not be empty' },
    { path: 'info[0].certainty', message: '<certainty> must not be empty' },
    {
      path: 'info[0].area[0].polygon[0]',
      message: 'point 7 "+40.85,-118.09,+40.86,-118.09,+41.12,-117.61" not "lat,lon"',
    },
  ],
  'google-xee.xml': [{ path: '', message: 'DTDs and entity declarations are refused' }],
  // CAP 1.0 (its spec's Appendix A.1): a namespace we do not take.
  'spec10-a1.xml': [
    {
      path: '',
      message: 'not a CAP 1.1 or 1.2 alert: the root element is {http://www.incident.com/cap/1.0}alert',
    },
  ],
};

describe('CAP in: the published fixtures', () => {
  it.each(Object.entries(VALID))('%s parses with no problems (CAP %s)', (name, version) => {
    expect(ok(parseCap(bytes(name))).version).toBe(version);
  });

  it.each(Object.entries(INVALID))('%s gives exactly its problems', (name, problems) => {
    expect(problemsOf(parseCap(bytes(name)))).toEqual(problems);
  });

  it('reads the spec’s thunderstorm warning into the model', () => {
    const { alert } = ok(parseCap(fixture('spec12-a2.xml')));
    expect(alert).toMatchObject({
      identifier: 'KSTO1055887203',
      sent: '2003-06-17T14:57:00-07:00',
      codes: [],
    });
    const info = alert.infos[0];
    expect(info).toMatchObject({ categories: ['Met'], responseTypes: ['Shelter'], severity: 'Severe' });
    expect(info.eventCodes).toEqual([{ valueName: 'SAME', value: 'SVR' }]);
    expect(info.areas[0].polygons[0][0]).toEqual({ lat: 38.47, lon: -120.14 });
    expect(info.areas[0].geocodes).toHaveLength(3);
  });

  it('reads references as triples and a zero-radius circle', () => {
    const { alert } = ok(parseCap(fixture('spec12-a3.xml')));
    expect(alert.references).toEqual([
      { sender: 'trinet@caltech.edu', identifier: 'TRI13970876.1', sent: '2003-06-11T20:30:00-07:00' },
    ]);
    expect(alert.infos[0].areas[0].circles).toEqual([
      { center: { lat: 32.9525, lon: -115.5527 }, radiusKm: 0 },
    ]);
  });

  it('keeps entities, CDATA and Chinese text, trimmed', () => {
    const { alert } = ok(parseCap(fixture('own-haidian-rainstorm.xml')));
    const info = alert.infos[0];
    expect(info.description).toMatch(/以上 & 伴有雷电/);
    expect(info.instruction).toMatch(/<注意>。$/);
    const cdata = fixture('spec12-a2.xml').replace(
      '<contact>BARUFFALDI/JUSKIE</contact>',
      '<contact>\n  <![CDATA[ <b>BARUFFALDI</b> & ]]>JUSKIE &#x4E2D;&#25991;  </contact>',
    );
    expect(ok(parseCap(cdata)).alert.infos[0].contact).toBe('<b>BARUFFALDI</b> & JUSKIE 中文');
    // One pass: an escaped reference stays a reference, CDATA is never decoded.
    const literal = fixture('spec12-a2.xml').replace('BARUFFALDI/JUSKIE', '&amp;#65; <![CDATA[&amp;]]>');
    expect(ok(parseCap(literal)).alert.infos[0].contact).toBe('&#65; &amp;');
    const nul = fixture('spec12-a2.xml').replace('BARUFFALDI/JUSKIE', '&#0;');
    expect(problemsOf(parseCap(nul))[0].message).toMatch(/&#0; is not an XML character/);
  });

  it('decodes bytes by their declared encoding, and a UTF-8 BOM', () => {
    const { alert } = ok(parseCap(bytes('google-earthquake-iso8859-1.xml')));
    expect(alert.infos[0].areas[0].areaDesc).toMatch(/\S/);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('spec12-a1.xml')]);
    ok(parseCap(bom));
    // Chinese feeds may declare GB18030 (or GBK): 中 is D6 D0 there.
    const storm = fixture('spec12-a2.xml');
    const gb = Buffer.from(
      `<?xml version="1.0" encoding="GB18030"?>${storm.slice(storm.indexOf('<alert'))}`.replace(
        'BARUFFALDI/JUSKIE',
        '@@',
      ),
    );
    gb.set([0xd6, 0xd0], gb.indexOf('@@'));
    expect(ok(parseCap(gb)).alert.infos[0].contact).toBe('中');
    const wrong = Buffer.from(fixture('spec12-a1.xml').replace('UTF-8', 'x-klingon'));
    expect(problemsOf(parseCap(wrong))).toEqual([{ path: '', message: 'unsupported encoding "x-klingon"' }]);
  });

  it('ignores the XML signature IPAWS and Google append', () => {
    const { alert } = ok(parseCap(bytes('ipaws-5e6dd9de023f1930ef6548d9.xml')));
    expect(alert.msgType).toBe('Cancel');
    expect(alert.infos).toEqual([]);
  });

  it('treats empty optional elements as absent, as real feeds send them', () => {
    const canada = ok(parseCap(bytes('google-canada.xml'))).alert; // <restriction/> with scope Public
    expect(canada.restriction).toBeUndefined();
    const ipaws = ok(parseCap(bytes('ipaws-5e6ddbad023f1930ef6c1a5a.xml'))).alert; // <source></source>
    expect(ipaws.source).toBeUndefined();
  });
});

describe('CAP in: namespaces, whitespace and quoting', () => {
  const storm = fixture('spec12-a2.xml');
  const prefixed = (prefix: string, quote: string) =>
    storm
      .replace(
        '<alert xmlns = "urn:oasis:names:tc:emergency:cap:1.2">',
        `<${prefix}:alert\n  xmlns:${prefix} =  ${quote}urn:oasis:names:tc:emergency:cap:1.2${quote} >`,
      )
      .replace(/<(\/?)([a-zA-Z]+)>/g, `<$1${prefix}:$2>`)
      .replace('</alert>', `</${prefix}:alert>`);

  it.each([
    ['any prefix, double quotes', prefixed('c', '"')],
    ['any prefix, single quotes', prefixed('cap12', "'")],
    [
      'a default namespace in single quotes, trailing whitespace',
      storm.replace(/"urn:([^"]+)"/, "'urn:$1'") + '\n\n  \t',
    ],
    [
      'a namespace declared twice on the way down',
      storm.replace('<info>', '<info xmlns="urn:oasis:names:tc:emergency:cap:1.2">'),
    ],
  ])('accepts %s', (_, xml) => {
    expect(ok(parseCap(xml)).alert.identifier).toBe('KSTO1055887203');
  });

  it('knows elements by namespace, not by name', () => {
    const foreign = storm.replace('<contact>', '<contact xmlns="urn:example:other">');
    expect(problemsOf(parseCap(foreign)).map((p) => p.path)).toEqual(['info[0].contact']);
    const unbound = storm.replace(
      '<contact>BARUFFALDI/JUSKIE</contact>',
      '<x:contact>BARUFFALDI/JUSKIE</x:contact>',
    );
    expect(problemsOf(parseCap(unbound))[0].message).toMatch(/not well-formed|not declared/);
  });

  it('refuses an alert in no namespace or another one', () => {
    const none = storm.replace(' xmlns = "urn:oasis:names:tc:emergency:cap:1.2"', '');
    expect(problemsOf(parseCap(none))).toEqual([
      { path: '', message: 'not a CAP 1.1 or 1.2 alert: the root element is alert' },
    ]);
    expect(problemsOf(parseCap('<feed xmlns="http://www.w3.org/2005/Atom"/>'))[0].message).toMatch(
      /Atom}feed/,
    );
  });
});

describe('CAP in: every rule, each broken once', () => {
  it.each(BROKEN_VARIANTS.map((v) => [v.rule, v] as const))('%s', (_, variant) => {
    const problems = problemsOf(parseCap(variant.edit(fixture(variant.base))));
    expect(problems.map((p) => p.path)).toEqual(variant.problems.map((p) => p.path));
    problems.forEach((p, i) => expect(p.message).toContain(variant.problems[i].says));
  });

  it('names a model path as CAP does', () => {
    expect(capPath(['infos', 0, 'areas', 1, 'polygons', 0])).toBe('info[0].area[1].polygon[0]');
    expect(capPath(['references', 2, 'sender'])).toBe('references[2].sender');
    expect(capPath([])).toBe('');
  });

  it('accepts a point written "lat, lon" and a circle "lat, lon r"', () => {
    const spaced = fixture('spec12-a3.xml').replace('32.9525,-115.5527 0', ' 32.9525, -115.5527   2.5 ');
    expect(ok(parseCap(spaced)).alert.infos[0].areas[0].circles[0]).toEqual({
      center: { lat: 32.9525, lon: -115.5527 },
      radiusKm: 2.5,
    });
  });
});

describe('CAP in: hostile input', () => {
  const storm = fixture('spec12-a2.xml');

  it('refuses an external entity without a DTD, and a bare ampersand', () => {
    const xxe = storm.replace('BARUFFALDI/JUSKIE', '&xxe;');
    expect(problemsOf(parseCap(xxe))).toEqual([
      { path: '', message: 'undefined entity or bare "&": "&xxe"' },
    ]);
    expect(problemsOf(parseCap(storm.replace('BARUFFALDI/JUSKIE', 'A & B')))[0].message).toMatch(/bare "&"/);
  });

  it('refuses billion laughs before expanding anything', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join(
        '',
      ) +
      ']>' +
      storm.slice(storm.indexOf('<alert')).replace('BARUFFALDI/JUSKIE', '&lol9;');
    expect(problemsOf(parseCap(lol))).toEqual([
      { path: '', message: 'DTDs and entity declarations are refused' },
    ]);
  });

  it('is not fooled by a DTD hidden behind a comment or in lower case', () => {
    const sneaky = `<!-- x --><!doctype alert [<!ENTITY a "b">]>${storm.slice(storm.indexOf('<alert'))}`;
    expect(ok(parseCap(storm.replace('<status>', '<!-- <!DOCTYPE x> --><status>'))).alert.status).toBe(
      'Actual',
    );
    expect(problemsOf(parseCap(sneaky))[0].message).toMatch(/DTD/);
  });

  it('refuses a huge input by its size, before parsing', () => {
    const huge = storm.replace('BARUFFALDI/JUSKIE', 'x'.repeat(1 << 20));
    expect(problemsOf(parseCap(huge))[0].message).toMatch(/^message too large: \d+ bytes, at most 1048576$/);
    expect(problemsOf(parseCap(storm, { maxBytes: 1000 }))[0].message).toMatch(/too large/);
  });

  it('refuses deep nesting and malformed XML with a message, never a throw', () => {
    const deep = storm.replace('BARUFFALDI/JUSKIE', '<a>'.repeat(5000) + '</a>'.repeat(5000));
    expect(problemsOf(parseCap(deep))).toEqual([{ path: '', message: 'elements nested deeper than 32' }]);
    for (const bad of ['', 'not xml', '<alert', '<a><b></a>', '<a/><b/>', storm.replace('</info>', '')])
      expect(problemsOf(parseCap(bad)).length, bad).toBeGreaterThan(0);
  });

  it('survives every truncation of a real message with problems, not exceptions', () => {
    const xml = fixture('spec12-a3.xml');
    for (let n = 0; n < xml.length; n += 7) {
      const r = parseCap(xml.slice(0, n));
      expect(r.ok).toBe(false);
    }
  });
});
