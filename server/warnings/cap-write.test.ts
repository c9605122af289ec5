import { describe, expect, it } from 'vitest';
import { parseCap } from './cap-parse.ts';
import { capDateTime, escapeXml, writeCap } from './cap-write.ts';
import type { CapAlert } from './cap-model.ts';
import { fixture } from './fixtures/broken-variants.ts';
import { CAP_XSD, HAS_XMLLINT, xmllint } from '../testing/xmllint.ts';

/**
 * CAP out is checked three ways: back through our own validator (zero problems, same alert),
 * for well-formedness by libxml2's `xmllint`, and against the OASIS CAP 1.2 schema by `xmllint
 * --schema` (server/testing/xmllint.ts: needs Debian's libxml2-utils).
 */
const XSD = CAP_XSD;

const parsed = (name: string): CapAlert => {
  const r = parseCap(fixture(name));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
  return r.alert;
};

/** Valid fixtures of both versions, with signatures, circles, resources, several infos, Chinese. */
const SAMPLES = [
  'spec12-a1.xml',
  'spec12-a2.xml',
  'spec12-a3.xml',
  'spec12-a4.xml',
  'spec11-a1.xml',
  'spec11-a3.xml',
  'google-australia.xml',
  'google-canada.xml',
  'google-weather.xml',
  'google-wcatwc-warning.xml',
  'ipaws-5e6dd9de023f1930ef6548d9.xml',
  'ipaws-5e7e0fc5023f1930efcf3deb.xml',
  'nws-5c2cf27b1f56885d61654dc47fa411d5.xml',
  'tw-cwa-earthquake.xml',
  'tw-cwa-heat.xml',
  'tw-cwa-thunderstorm.xml',
  'own-haidian-rainstorm.xml',
];

/** Everything the model can hold, with text that needs escaping. */
const FULL: CapAlert = {
  identifier: 'PZ-W-0001',
  sender: 'pingzhan@haidian.example.cn',
  sent: capDateTime(Date.parse('2026-12-01T11:30:00Z')),
  status: 'Exercise',
  msgType: 'Update',
  source: '海淀区城市运行管理指挥中心 <演练>',
  scope: 'Private',
  addresses: ['duty@haidian', '海淀 值班室'],
  codes: ['PZ-1', 'profile:CAP-CN'],
  note: 'A & B "quoted" \'single\' ]]> \r\n end',
  references: [
    { sender: 'pingzhan@haidian.example.cn', identifier: 'PZ-W-0000', sent: '2026-12-01T19:00:00+08:00' },
  ],
  incidents: ['INC-1', 'INC 2'],
  infos: [
    {
      language: 'zh-CN',
      categories: ['Met', 'Safety'],
      event: '暴雨',
      responseTypes: ['Prepare', 'AllClear'],
      urgency: 'Expected',
      severity: 'Extreme',
      certainty: 'Likely',
      audience: '公众',
      eventCodes: [{ valueName: 'GB/T 35965.1', value: '11B03' }],
      effective: '2026-12-01T19:30:00+08:00',
      onset: '2026-12-01T20:00:00+08:00',
      expires: '2026-12-02T08:00:00+08:00',
      senderName: '海淀区气象台',
      headline: '暴雨红色预警 <b>&</b>',
      description: '多行\n描述',
      instruction: '立即避险',
      web: 'https://example.cn/w?id=1&x=2',
      contact: '010-12345678',
      parameters: [{ valueName: 'colour', value: '' }],
      resources: [
        { resourceDesc: 'map', mimeType: 'image/png', size: 1024, uri: 'https://example.cn/a.png' },
      ],
      areas: [
        {
          areaDesc: '海淀区',
          polygons: [
            [
              { lat: 39.9, lon: 116.2 },
              { lat: 40.1, lon: 116.2 },
              { lat: 40.1, lon: 116.4 },
              { lat: 39.9, lon: 116.2 },
            ],
          ],
          circles: [{ center: { lat: 39.96, lon: 116.3 }, radiusKm: 0.0000001 }],
          geocodes: [{ valueName: 'GB/T 2260', value: '110108' }],
          altitude: 100,
          ceiling: 2500.5,
        },
      ],
    },
  ],
};

describe('CAP out', () => {
  it.each(SAMPLES)('%s comes back through the validator unchanged', (name) => {
    const alert = parsed(name);
    const back = parseCap(writeCap(alert));
    expect(back.ok ? [] : back.problems).toEqual([]);
    if (!back.ok) return;
    expect(back.version).toBe('1.2');
    // A 1.1 resource without mimeType gets the generic one, the only change.
    const expected = structuredClone(alert);
    for (const info of expected.infos)
      for (const r of info.resources) r.mimeType ??= 'application/octet-stream';
    expect(back.alert).toEqual(expected);
  });

  it('writes every field of the model, escaped, and reads it back the same', () => {
    const xml = writeCap(FULL);
    const back = parseCap(xml);
    expect(back.ok ? back.alert : back.problems).toEqual(FULL);
    expect(xml).toContain('<note>A &amp; B "quoted" \'single\' ]]&gt; &#13;\n end</note>');
    expect(xml).toContain('<addresses>duty@haidian "海淀 值班室"</addresses>');
    expect(xml).toContain('<polygon>39.9,116.2 40.1,116.2 40.1,116.4 39.9,116.2</polygon>');
    expect(xml).toContain('<circle>39.96,116.3 0.0000001</circle>');
    expect(xml).not.toMatch(/\d\dZ</);
  });

  it('puts the elements in the schema’s order', () => {
    const names = [...writeCap(FULL).matchAll(/^\s*<([a-zA-Z]+)[ >]/gm)].map((m) => m[1]);
    const order = (list: string[]) => names.filter((n) => list.includes(n));
    const alertOrder = [
      'identifier',
      'sender',
      'sent',
      'status',
      'msgType',
      'source',
      'scope',
      'restriction',
    ];
    expect(order([...alertOrder, 'addresses', 'code', 'note', 'references', 'incidents', 'info'])).toEqual([
      ...alertOrder.filter((n) => n !== 'restriction'),
      'addresses',
      'code',
      'code',
      'note',
      'references',
      'incidents',
      'info',
    ]);
    const infoOrder = ['language', 'category', 'event', 'responseType', 'urgency', 'severity', 'certainty'];
    expect(order(infoOrder)).toEqual([
      'language',
      'category',
      'category',
      'event',
      'responseType',
      'responseType',
      'urgency',
      'severity',
      'certainty',
    ]);
    const later = [
      'audience',
      'eventCode',
      'effective',
      'onset',
      'expires',
      'senderName',
      'headline',
      'description',
    ];
    const last = ['instruction', 'web', 'contact', 'parameter', 'resource', 'area'];
    expect(order([...later, ...last])).toEqual([...later, ...last]);
    expect(order(['areaDesc', 'polygon', 'circle', 'geocode', 'altitude', 'ceiling'])).toEqual([
      'areaDesc',
      'polygon',
      'circle',
      'geocode',
      'altitude',
      'ceiling',
    ]);
  });

  it('writes times with a numeric offset, never Z', () => {
    expect(capDateTime(Date.parse('2026-12-01T11:30:00.999Z'))).toBe('2026-12-01T19:30:00+08:00');
    expect(capDateTime(Date.parse('2026-12-31T20:00:00Z'))).toBe('2027-01-01T04:00:00+08:00');
    expect(capDateTime(Date.parse('2026-12-01T11:30:00Z'), 0)).toBe('2026-12-01T11:30:00+00:00');
    expect(capDateTime(Date.parse('2026-12-01T11:30:00Z'), -330)).toBe('2026-12-01T06:00:00-05:30');
    expect(() => writeCap({ ...FULL, sent: '2026-12-01T11:30:00Z' })).toThrow();
  });

  it('drops what XML cannot carry and escapes markup', () => {
    expect(escapeXml('a\u0000b\u0008c\u001fd\ud800e <&>')).toBe('abcde &lt;&amp;&gt;');
  });

  describe('checked by xmllint (NEEDS Debian libxml2-utils)', () => {
    it('xmllint is installed', () => {
      expect(HAS_XMLLINT, 'install libxml2-utils: apt-get install -y libxml2-utils').toBe(true);
    });

    it.each([...SAMPLES, 'FULL'])(
      '%s out is well-formed and valid against the OASIS CAP 1.2 schema',
      (name) => {
        const xml = writeCap(name === 'FULL' ? FULL : parsed(name));
        expect(xmllint(xml)).toBe('ok');
        expect(xmllint(xml, '--schema', XSD)).toBe('ok');
      },
    );

    it('the schema check is real: it refuses what the schema refuses', () => {
      const xml = writeCap(parsed('spec12-a2.xml'));
      expect(xmllint(xml.replace('<scope>Public</scope>', ''), '--schema', XSD)).toMatch(/scope/);
      expect(xmllint(xml.replace('+08:00', 'Z').replace('-07:00', 'Z'), '--schema', XSD)).toMatch(/sent/);
    });
  });
});
