import { describe, expect, it } from 'vitest';
import { normalizeTopic, parseOnvif } from './onvif.ts';
import { fixture, onvifNotify } from './fixtures/variants.ts';

const opts = { receivedAt: Date.parse('2026-12-01T00:00:00Z') };
const events = (input: string | Uint8Array) => {
  const r = parseOnvif(input, opts);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.events;
};

describe('ONVIF metadata streams (published, Axis)', () => {
  it('an empty first chunk is no event and no problem', () => {
    expect(parseOnvif(fixture('axis-first-message.xml'), opts)).toEqual({ ok: true, events: [] });
  });

  it('Initialized states a value: kind state', () => {
    const [e] = events(fixture('axis-pir-init.xml'));
    expect(e).toEqual({
      vendor: 'onvif',
      device: {
        onvif: { producer: 'uri://94fbe18e-0af8-40d2-8539-67b6ea550c6e/ProducerReference', source: '0' },
      },
      kind: 'state',
      vendorType: 'tns1:Device/tnsaxis:Sensor/PIR',
      active: false,
      observedAt: '2019-03-12T23:48:26.371Z',
    });
  });

  it('Changed state=1 is an active alarm', () => {
    const [e] = events(fixture('axis-pir-change.xml'));
    expect([e.kind, e.active, e.observedAt]).toEqual(['alarm', true, '2019-03-12T23:48:28.425Z']);
  });

  it('reads a VMD4 profile change (no source items) and the rule engine motion source', () => {
    const [vmd] = events(fixture('axis-vmd4-c1p1-change.xml'));
    expect(vmd.vendorType).toBe('tnsaxis:CameraApplicationPlatform/VMD/Camera1Profile1');
    expect(vmd.device).toEqual({
      onvif: { producer: 'uri://94fbe18e-0af8-40d2-8539-67b6ea550c6e/ProducerReference' },
    });
    expect(vmd.active).toBe(true);
    const [region] = events(fixture('axis-rule-engine-region-detector-init.xml'));
    expect(region.vendorType).toBe('tns1:RuleEngine/MotionRegionDetector/Motion');
    expect(region.device).toEqual({
      onvif: { producer: 'uri://755cc9bb-cf3a-410b-bd1b-0ec97c6d6256/ProducerReference', source: '0' },
    });
    expect([region.kind, region.active]).toEqual(['state', false]);
  });

  it('reads a relay state with LogicalState inactive', () => {
    const [relay] = events(fixture('axis-relay-init.xml'));
    expect([relay.vendorType, relay.kind, relay.active]).toEqual([
      'tns1:Device/Trigger/Relay',
      'state',
      false,
    ]);
  });
});

describe('ONVIF wsnt:Notify (edited variants around the published messages)', () => {
  it('reads every NotificationMessage of a SOAP Notify, and a bare one', () => {
    for (const soap of [true, false]) {
      const list = events(
        onvifNotify(['axis-pir-init.xml', 'axis-pir-change.xml', 'axis-global-scene-change.xml'], soap),
      );
      expect(list.map((e) => [e.vendorType, e.kind])).toEqual([
        ['tns1:Device/tnsaxis:Sensor/PIR', 'state'],
        ['tns1:Device/tnsaxis:Sensor/PIR', 'alarm'],
        ['tns1:VideoSource/GlobalSceneChange/ImagingService', 'state'],
      ]);
    }
  });

  it('resolves topic prefixes by namespace, not by spelling', () => {
    const xml = fixture('axis-pir-change.xml')
      .toString()
      .replace(
        'xmlns:tns1="http://www.onvif.org/ver10/topics"',
        'xmlns:t="http://www.onvif.org/ver10/topics"',
      )
      .replace('tns1:Device/tnsaxis', 't:Device/tnsaxis');
    expect(events(xml)[0].vendorType).toBe('tns1:Device/tnsaxis:Sensor/PIR');
    expect(normalizeTopic('x:A/B', new Map())).toBe('x:A/B');
  });

  it('reads IsMotion=true on CellMotionDetector with a VideoSourceConfigurationToken (edited)', () => {
    const xml = fixture('axis-pir-change.xml')
      .toString()
      .replace('tns1:Device/tnsaxis:Sensor/PIR', 'tns1:RuleEngine/CellMotionDetector/Motion')
      .replace(
        '<tt:SimpleItem Name="sensor" Value="0"/>',
        '<tt:SimpleItem Name="VideoSourceConfigurationToken" Value="VideoSourceToken"/><tt:SimpleItem Name="Rule" Value="MyMotionDetectorRule"/>',
      )
      .replace('<tt:SimpleItem Name="state" Value="1"/>', '<tt:SimpleItem Name="IsMotion" Value="true"/>');
    const [e] = events(xml);
    expect(e).toMatchObject({
      vendorType: 'tns1:RuleEngine/CellMotionDetector/Motion',
      device: { onvif: { source: 'VideoSourceToken' } },
      active: true,
      kind: 'alarm',
    });
  });

  it('names every problem: no producer, no topic, bad PropertyOperation and UtcTime', () => {
    const xml = fixture('axis-pir-change.xml')
      .toString()
      .replace(/<wsnt:ProducerReference>.*<\/wsnt:ProducerReference>/, '')
      .replace(/<wsnt:Topic[^>]*>[^<]*<\/wsnt:Topic>/, '')
      .replace('PropertyOperation="Changed"', 'PropertyOperation="Exploded"')
      .replace('2019-03-12T23:48:28.425164Z', 'yesterday');
    const r = parseOnvif(xml, opts);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual([
      'NotificationMessage[0].Topic',
      'NotificationMessage[0].ProducerReference.Address',
      'NotificationMessage[0].Message.PropertyOperation',
      'NotificationMessage[0].Message.UtcTime',
    ]);
  });

  it('refuses what is not a Notify or a metadata stream', () => {
    expect(
      parseOnvif(
        '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><Other/></Body></Envelope>',
        opts,
      ),
    ).toMatchObject({
      ok: false,
      problems: [{ message: /wsnt:Notify/ }],
    });
    expect(parseOnvif('<wsnt:Notify xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"/>', opts)).toMatchObject({
      ok: false,
      problems: [{ message: /at least one/ }],
    });
    expect(parseOnvif('not xml', opts).ok).toBe(false);
  });
});
