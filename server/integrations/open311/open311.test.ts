import { describe, expect, it } from 'vitest';
import { Incident } from '../../../shared/incident.ts';
import { xmllint } from '../../testing/xmllint.ts';
import { errorsBody, objectToXml, toXml } from './format.ts';
import { intakeFromOpen311, Open311RequestForm, Open311RequestQuery } from './request-input.ts';
import { open311Request, statusNotes } from './request-view.ts';
import { open311Services, serviceDefinition } from './services.ts';

/** The GeoReport v2 spec's POST example (wiki.open311.org/GeoReport_v2, "POST Service Request"), with our service code and a Haidian point. */
const SPEC_POST =
  'api_key=xyz&jurisdiction_id=city.gov&service_code=infrastructure&lat=39.9075&long=116.2871&address_string=1234+5th+street' +
  '&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111' +
  '&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fexample.com%2Fimage.jpg';
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));
const problems = (r: ReturnType<typeof Open311RequestForm.safeParse>) =>
  r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(form)'}: ${i.message}`);

describe('Open311 services', () => {
  it('are our categories, named in Chinese, without attributes, realtime', () => {
    const s = open311Services();
    expect(s.map((x) => x.service_code)).toContain('gas_leak');
    expect(s.find((x) => x.service_code === 'gas_leak')).toMatchObject({
      service_name: '燃气泄漏',
      metadata: false,
      type: 'realtime',
    });
    expect(serviceDefinition('fire')).toEqual({ service_code: 'fire', attributes: [] });
  });

  it('in XML: the spec’s services/service shape, well-formed', () => {
    const xml = toXml('services', 'service', open311Services());
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?><services><service><service_code>fire<\/service_code>/,
    );
    expect(xmllint(xml)).toBe('ok');
    expect(xmllint(objectToXml('service_definition', serviceDefinition('fire')))).toBe('ok');
  });
});

describe('POST requests: the form', () => {
  it('takes the spec’s example and makes a case of it, contact kept for the call back', () => {
    const r = Open311RequestForm.safeParse(form(SPEC_POST));
    expect(problems(r)).toEqual([]);
    const intake = intakeFromOpen311(r.data!, '市政设施');
    expect(intake).toMatchObject({
      source: 'open311',
      kind: 'case',
      category: 'infrastructure',
      title: 'A large sinkhole is destroying the street',
      location: { lat: 39.9075, lng: 116.2871 },
      address: '1234 5th street',
    });
    expect(intake.description).toContain('电话 111111111');
    expect(intake.description).toContain('图片 http://example.com/image.jpg');
  });

  it('names each missing or bad field', () => {
    expect(problems(Open311RequestForm.safeParse(form('api_key=k&service_code=fire')))).toEqual([
      'lat: lat is required (this jurisdiction locates requests by lat and long)',
      'long: long is required (this jurisdiction locates requests by lat and long)',
    ]);
    expect(problems(Open311RequestForm.safeParse(form('api_key=k&lat=39.9&long=116.3')))).toEqual([
      'service_code: service_code is required',
    ]);
    const bad = problems(
      Open311RequestForm.safeParse(
        form('api_key=k&service_code=sinkholes&lat=95&long=abc&attribute%5BWHISPAWN%5D=1'),
      ),
    );
    expect(bad).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service_code: service_code is not one of GET services/),
        'lat: lat is at most 90',
        'long: long is a decimal number of degrees',
        expect.stringMatching(/attribute\[WHISPAWN\]/),
      ]),
    );
  });

  it('refuses ill-formed text (a lone surrogate) by name', () => {
    const r = Open311RequestForm.safeParse({ ...form(SPEC_POST), description: 'bad \ud800 text' });
    expect(problems(r)).toEqual([expect.stringMatching(/^description: /)]);
  });

  it('without a description the title is the service’s name', () => {
    const r = Open311RequestForm.parse(form('api_key=k&service_code=traffic&lat=39.9&long=116.3'));
    expect(intakeFromOpen311(r, '交通')).toMatchObject({ title: '交通' });
  });
});

describe('GET requests: the query', () => {
  it('splits lists and checks dates and statuses', () => {
    const q = Open311RequestQuery.parse({
      service_request_id: 'a1, b2',
      status: 'open,closed',
      start_date: '2026-07-01T00:00:00+08:00',
    });
    expect(q).toMatchObject({ service_request_id: ['a1', 'b2'], status: ['open', 'closed'] });
    const r = Open311RequestQuery.safeParse({ status: 'pending', end_date: '2026-07-01' });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toEqual(['end_date', 'status.0']);
  });
});

const CASE = Incident.parse({
  id: 'inc-9',
  source: 'open311',
  kind: 'case',
  category: 'infrastructure',
  title: '井盖缺失 <危险>',
  location: { lng: 116.2871, lat: 39.9075 },
  locationLabel: '海淀区 · 万寿路街道',
  streetId: 'wanshoulu',
  communityId: null,
  outsideDistrict: false,
  severity: 4,
  status: 'dispatched',
  departmentId: 'dept-city-management',
  reportedAt: '2026-07-18T02:00:00.000Z',
  createdAt: '2026-07-18T02:00:01.000Z',
  updatedAt: '2026-07-18T03:00:00.000Z',
  reportCount: 1,
  mergedIds: [],
  videoAlertIds: [],
  steps: [
    {
      step: 'verify',
      startedAt: '2026-07-18T02:00:01.000Z',
      dueAt: '2026-07-18T02:30:01.000Z',
      finishedAt: '2026-07-18T02:10:00.000Z',
      onTime: true,
    },
    {
      step: 'dispatch',
      startedAt: '2026-07-18T02:10:00.000Z',
      dueAt: '2026-07-18T02:40:00.000Z',
      finishedAt: '2026-07-18T03:00:00.000Z',
      onTime: false,
    },
    { step: 'handle', startedAt: '2026-07-18T03:00:00.000Z', dueAt: '2026-07-19T03:00:00.000Z' },
  ],
  lastAction: { at: '2026-07-18T03:00:00.000Z', action: 'dispatched' },
  version: 3,
});

describe('a case as a service request', () => {
  it('is open with its step in status_notes, due when the step is, times in +08:00', () => {
    const r = open311Request(CASE, (id) => (id === 'dept-city-management' ? '区城市管理委员会' : undefined));
    expect(r).toMatchObject({
      service_request_id: 'inc-9',
      status: 'open',
      status_notes: '处置 handle',
      agency_responsible: '区城市管理委员会',
      requested_datetime: '2026-07-18T10:00:01+08:00',
      expected_datetime: '2026-07-19T11:00:00+08:00',
      lat: 39.9075,
      long: 116.2871,
    });
  });

  it('is closed once closed or voided, with no deadline', () => {
    expect(statusNotes({ ...CASE, status: 'closed' })).toBe('已结案 closed');
    expect(open311Request({ ...CASE, status: 'voided' }, () => undefined)).toMatchObject({
      status: 'closed',
      expected_datetime: '',
    });
  });

  it('shows the reporter’s words and photo, never the contact line', () => {
    const f = Open311RequestForm.parse(form(SPEC_POST));
    const c = { ...CASE, description: intakeFromOpen311(f, '市政设施').description };
    expect(open311Request(c, () => undefined)).toMatchObject({
      description: 'A large sinkhole is destroying the street',
      media_url: 'http://example.com/image.jpg',
    });
    expect(JSON.stringify(open311Request(c, () => undefined))).not.toMatch(/111111111|sfgov|smith/);
  });

  it('in XML: service_requests/request, user text escaped, well-formed', () => {
    const xml = toXml('service_requests', 'request', [open311Request(CASE, () => undefined)]);
    expect(xml).toContain('<description>井盖缺失 &lt;危险&gt;</description>');
    expect(xml).toContain('<address_id/>');
    expect(xmllint(xml)).toBe('ok');
  });
});

describe('errors', () => {
  it('are the spec’s list in both formats', () => {
    const e = [{ code: 403, description: 'api_key is not valid' }];
    expect(JSON.parse(errorsBody('json', e))).toEqual(e);
    const xml = errorsBody('xml', e);
    expect(xml).toContain(
      '<errors><error><code>403</code><description>api_key is not valid</description></error></errors>',
    );
    expect(xmllint(xml)).toBe('ok');
  });
});
