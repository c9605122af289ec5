import { describe, expect, it } from 'vitest';
import { Incident } from '../../shared/incident.ts';
import { CAP_XSD, xmllint } from '../testing/xmllint.ts';
import { parseCap } from './cap-parse.ts';
import { writeCap } from './cap-write.ts';
import { incidentCap } from './incident-cap.ts';

const incident = (patch: Partial<Incident> = {}): Incident =>
  Incident.parse({
    id: 'inc-7f3a',
    source: 'hotline',
    kind: 'emergency',
    category: 'gas_leak',
    title: '复兴路 燃气管道破裂 <泄漏> & 疏散',
    description: '市民报告闻到燃气味，"现场"有嘶嘶声',
    location: { lng: 116.2871, lat: 39.9075 },
    address: '复兴路 20 号',
    locationLabel: '海淀区 · 万寿路街道 · 翠微路社区',
    streetId: 'wanshoulu',
    communityId: 'cuiweilu',
    outsideDistrict: false,
    severity: 2,
    status: 'verified',
    reportedAt: '2026-07-18T02:04:00.000Z',
    createdAt: '2026-07-18T02:04:05.000Z',
    updatedAt: '2026-07-18T02:09:00.000Z',
    reportCount: 3,
    mergedIds: [],
    videoAlertIds: [],
    lastAction: { at: '2026-07-18T02:09:00.000Z', action: 'verified' },
    version: 4,
    ...patch,
  });

describe('an incident as CAP 1.2 (GET /api/v1/incidents/:id/cap.xml)', () => {
  it('is valid CAP: our validator finds no problem, xmllint finds it well-formed and schema-valid', () => {
    const xml = writeCap(incidentCap(incident(), { sender: 'zhihui@haidian.example.cn' }));
    const back = parseCap(xml);
    expect(back.ok ? [] : back.problems).toEqual([]);
    expect(xmllint(xml)).toBe('ok');
    expect(xmllint(xml, '--schema', CAP_XSD)).toBe('ok');
  });

  it('says what the centre knows: times with +08:00, lat,lon, severity, the text escaped', () => {
    const xml = writeCap(incidentCap(incident(), { sender: 'zhihui@haidian.example.cn' }));
    expect(xml).toContain('<sent>2026-07-18T10:09:00+08:00</sent>');
    expect(xml).not.toMatch(/\d{2}:\d{2}:\d{2}Z/);
    expect(xml).toContain('<circle>39.9075,116.2871 0.5</circle>');
    expect(xml).toContain('<severity>Severe</severity>');
    expect(xml).toContain('<identifier>inc-7f3a.v4</identifier>');
    expect(xml).toContain('&lt;泄漏&gt; &amp; 疏散');
    const back = parseCap(xml);
    expect(back.ok && back.alert.infos[0].headline).toBe('复兴路 燃气管道破裂 <泄漏> & 疏散');
    expect(back.ok && back.alert.scope).toBe('Restricted');
  });

  it('a closed case is all clear and past; a report not yet verified is likely, not observed', () => {
    const closed = incidentCap(incident({ status: 'closed' }), { sender: 's@x' }).infos[0];
    expect(closed).toMatchObject({ urgency: 'Past', responseTypes: ['AllClear'], certainty: 'Observed' });
    const fresh = incidentCap(incident({ status: 'accepted' }), { sender: 's@x' }).infos[0];
    expect(fresh.certainty).toBe('Likely');
    for (const severity of [1, 3, 4] as const)
      expect(
        xmllint(writeCap(incidentCap(incident({ severity }), { sender: 's@x' })), '--schema', CAP_XSD),
      ).toBe('ok');
  });
});
