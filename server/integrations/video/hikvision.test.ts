import { describe, expect, it } from 'vitest';
import { parseHikvisionBody, parseHikvisionXml } from './hikvision.ts';
import { fixture, hikvisionAlertStream, hikvisionMultipart, TINY_JPEG } from './fixtures/variants.ts';

const opts = { receivedAt: Date.parse('2026-12-01T00:00:00Z') };
const one = (r: ReturnType<typeof parseHikvisionXml>) => {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  expect(r.events).toHaveLength(1);
  return r.events[0];
};

describe('Hikvision EventNotificationAlert (published)', () => {
  it('reads an IPC intrusion: device, type, state, time with its offset', () => {
    const e = one(parseHikvisionXml(fixture('hikvision-next-fielddetection_human.xml'), opts));
    expect(e).toEqual({
      vendor: 'hikvision',
      device: { hikvision: { ipAddress: '1.0.0.255', macAddress: 'ac:b9:2f:49:44:75', channelID: '1' } },
      kind: 'alarm',
      vendorType: 'fielddetection',
      active: true,
      observedAt: '2022-01-31T12:53:05.000Z',
    });
  });

  it('reads an alert without a namespace and prefers dynChannelID', () => {
    const e = one(parseHikvisionXml(fixture('hikvision-next-ipc_thermometry_motiondetection.xml'), opts));
    expect(e.vendorType).toBe('VMD');
    expect(e.device).toEqual({
      hikvision: { ipAddress: '1.0.0.255', macAddress: 'a6:60:9e:f8:01:09', channelID: '2' },
    });
  });

  it('reads an NVR alert with no IP or MAC, taking the peer address when given', () => {
    const e = one(parseHikvisionXml(fixture('hikvision-next-nvr_2_fielddetection.xml'), opts));
    expect(e.device).toEqual({ hikvision: { channelID: '34' } });
    const peer = one(
      parseHikvisionXml(fixture('hikvision-next-nvr_2_fielddetection.xml'), {
        ...opts,
        peerAddress: '10.0.0.9',
      }),
    );
    expect(peer.device).toEqual({ hikvision: { ipAddress: '10.0.0.9', channelID: '34' } });
  });

  it('reads PIR and IO alarms', () => {
    expect(one(parseHikvisionXml(fixture('hikvision-next-pir.xml'), opts)).vendorType).toBe('PIR');
    expect(
      one(parseHikvisionXml(fixture('hikvision-next-cam1_DS-2CD2T46G2-ISU_io_notification.xml'), opts))
        .vendorType,
    ).toBe('IO');
  });

  it('reads a duration event as the event it prolongs', () => {
    expect(one(parseHikvisionXml(fixture('hikvision-next-ipc_1_fielddetection.xml'), opts)).vendorType).toBe(
      'fielddetection',
    );
  });

  it('reads the videoloss/inactive idle message as a heartbeat, with a one-digit offset', () => {
    const e = one(parseHikvisionXml(fixture('moonfire-videoloss-heartbeat.xml'), opts));
    expect(e.kind).toBe('heartbeat');
    expect(e.active).toBe(false);
    expect(e.observedAt).toBe('2016-12-25T02:59:49.000Z');
  });

  it('reads old std-cgi firmware: minutes-only Z time, upper-case MAC', () => {
    const e = one(parseHikvisionXml(fixture('moonfire-vmd-std-cgi.xml'), opts));
    expect(e.observedAt).toBe('2009-11-14T15:27:00.000Z');
    expect(e.device).toEqual({
      hikvision: { ipAddress: '172.6.64.7', macAddress: '01:17:24:45:d9:f4', channelID: '1' },
    });
  });

  it('takes a DVR time without an offset in the configured zone (default +08:00)', () => {
    const xml = fixture('moonfire-videoloss-heartbeat.xml')
      .toString()
      .replace('2016-12-24T18:59:49-8:00', '2016-12-24T18:59:49');
    expect(one(parseHikvisionXml(xml, opts)).observedAt).toBe('2016-12-24T10:59:49.000Z');
    expect(one(parseHikvisionXml(xml, { ...opts, defaultOffsetMinutes: 0 })).observedAt).toBe(
      '2016-12-24T18:59:49.000Z',
    );
  });
});

describe('Hikvision problems (edited variants)', () => {
  const base = fixture('hikvision-next-fielddetection_human.xml').toString();
  it('names every problem at once', () => {
    const xml = base
      .replace('<eventState>active</eventState>', '<eventState>on</eventState>')
      .replace('ac:b9:2f:49:44:75', 'not-a-mac')
      .replace('2022-01-31T13:53:05+01:00', '2022-02-31T13:53:05+01:00')
      .replace('<channelID>1</channelID>', '<channelID>one</channelID>');
    const r = parseHikvisionXml(xml, opts);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path).sort()).toEqual([
      'channelID',
      'dateTime',
      'eventState',
      'macAddress',
    ]);
  });
  it('requires eventType and eventState', () => {
    const r = parseHikvisionXml(
      '<EventNotificationAlert><channelID>1</channelID></EventNotificationAlert>',
      opts,
    );
    expect(r).toEqual({
      ok: false,
      problems: [
        { path: 'eventType', message: 'required' },
        { path: 'eventState', message: 'required' },
      ],
    });
  });
  it('refuses another root, DTDs and oversized bodies without throwing', () => {
    expect(parseHikvisionXml('<alert/>', opts).ok).toBe(false);
    const xxe = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><EventNotificationAlert>&x;</EventNotificationAlert>`;
    expect(parseHikvisionXml(xxe, opts)).toMatchObject({ ok: false, problems: [{ message: /DTD/ }] });
    expect(parseHikvisionXml('<a>' + 'x'.repeat(70_000) + '</a>', opts)).toMatchObject({
      ok: false,
      problems: [{ message: /too large/ }],
    });
  });
});

describe('Hikvision bodies', () => {
  it('takes XML by Content-Type, and refuses JSON', () => {
    const xml = new Uint8Array(fixture('hikvision-next-pir.xml'));
    expect(parseHikvisionBody(xml, 'application/xml; charset="UTF-8"', opts).ok).toBe(true);
    expect(parseHikvisionBody(xml, undefined, opts).ok).toBe(true);
    expect(parseHikvisionBody(xml, 'application/json', opts)).toMatchObject({
      ok: false,
      problems: [{ message: /Content-Type/ }],
    });
  });

  it('splits a multipart/form-data post: the XML is the event, the JPEG its snapshot', () => {
    for (const lineEnd of ['\r\n', '\n']) {
      const { body, contentType } = hikvisionMultipart(
        'hikvision-next-fielddetection_human.xml',
        true,
        lineEnd,
      );
      const r = parseHikvisionBody(body, contentType, opts);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      expect(r.events).toHaveLength(1);
      expect(r.events[0].vendorType).toBe('fielddetection');
      expect(r.events[0].snapshot?.mime).toBe('image/jpeg');
      expect(Array.from(r.events[0].snapshot!.bytes)).toEqual(Array.from(TINY_JPEG));
    }
  });

  it('reads an alert-stream chunk: heartbeat and alarm, no closing delimiter', () => {
    const { body, contentType } = hikvisionAlertStream([
      'moonfire-videoloss-heartbeat.xml',
      'moonfire-vmd-std-cgi.xml',
    ]);
    const r = parseHikvisionBody(body, contentType, opts);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.events.map((e) => [e.kind, e.vendorType])).toEqual([
      ['heartbeat', 'videoloss'],
      ['alarm', 'VMD'],
    ]);
  });

  it('reads parts whose headers follow a blank line (edited variant: some firmware does this)', () => {
    const { body, contentType } = hikvisionMultipart('hikvision-next-fielddetection_human.xml');
    const text = Buffer.from(body).toString('latin1');
    const odd = Buffer.from(
      text.replaceAll('--boundary\r\nContent-', '--boundary\r\n\r\nContent-'),
      'latin1',
    );
    const r = parseHikvisionBody(new Uint8Array(odd), contentType, opts);
    expect(r.ok && [r.events.length, r.events[0].snapshot?.mime]).toEqual([1, 'image/jpeg']);
  });

  it('keeps the alarm when its picture is broken (a note), names a missing boundary', () => {
    const { body } = hikvisionMultipart('hikvision-next-fielddetection_human.xml');
    const broken = Buffer.from(body);
    broken[broken.indexOf(Buffer.from(TINY_JPEG))] = 0x00;
    const r = parseHikvisionBody(new Uint8Array(broken), 'multipart/form-data; boundary=boundary', opts);
    expect(r).toMatchObject({ ok: true, notes: [{ path: 'part[1]', message: /not a JPEG/ }] });
    expect(r.ok && r.events[0].snapshot).toBeUndefined();
    expect(parseHikvisionBody(body, 'multipart/form-data', opts)).toMatchObject({
      ok: false,
      problems: [{ message: /boundary/ }],
    });
    expect(parseHikvisionBody(body, 'multipart/form-data; boundary=other', opts)).toMatchObject({
      ok: false,
    });
  });
});
