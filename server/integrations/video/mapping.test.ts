import { describe, expect, it } from 'vitest';
import { CameraLinksPatch } from '../../../shared/camera-links.ts';
import { alertTypeOf, matchCamera } from './mapping.ts';
import { parseHikvisionXml } from './hikvision.ts';
import { parseOnvif } from './onvif.ts';
import { parseFrigate } from './frigate.ts';
import { fixture, frigateMessage } from './fixtures/variants.ts';
import type { VendorEvent } from './vendor-event.ts';

const opts = { receivedAt: 0 };
const first = (r: { ok: true; events: VendorEvent[] } | { ok: false }) => {
  if (!r.ok) throw new Error('parse failed');
  return r.events[0];
};

describe('vendor types → video-alert types', () => {
  it('maps the published Hikvision events', () => {
    const type = (f: string) => alertTypeOf(first(parseHikvisionXml(fixture(f), opts)));
    expect(type('hikvision-next-fielddetection_human.xml')).toBe('intrusion');
    expect(type('hikvision-next-ipc_thermometry_motiondetection.xml')).toBe('intrusion');
    expect(type('hikvision-next-pir.xml')).toBe('intrusion');
    expect(type('hikvision-next-cam1_DS-2CD2T46G2-ISU_io_notification.xml')).toBe('other');
    expect(type('moonfire-videoloss-heartbeat.xml')).toBeNull();
    const smoke = fixture('hikvision-next-pir.xml')
      .toString()
      .replace('<eventType>PIR</eventType>', '<eventType>smokeDetection</eventType>');
    expect(alertTypeOf(first(parseHikvisionXml(smoke, opts)))).toBe('smoke');
  });

  it('maps the published ONVIF topics (exact and by family)', () => {
    const type = (f: string) => alertTypeOf(first(parseOnvif(fixture(f), opts)));
    expect(type('axis-pir-change.xml')).toBe('intrusion');
    expect(type('axis-vmd4-c1p1-change.xml')).toBe('intrusion');
    expect(type('axis-rule-engine-region-detector-init.xml')).toBe('intrusion');
    expect(type('axis-relay-init.xml')).toBeNull();
    expect(type('axis-daynight-init.xml')).toBeNull();
  });

  it('maps Frigate labels, the gravest of a review', () => {
    expect(alertTypeOf(first(parseFrigate(frigateMessage('events', 'new'), opts)))).toBe('intrusion');
    const review = frigateMessage('reviews', 'new') as { after: { data: { objects: string[] } } };
    expect(alertTypeOf(first(parseFrigate(review, opts)))).toBe('intrusion');
    review.after.data.objects = ['car', 'smoke', 'person'];
    expect(alertTypeOf(first(parseFrigate(review, opts)))).toBe('smoke');
    review.after.data.objects = ['dog'];
    expect(alertTypeOf(first(parseFrigate(review, opts)))).toBeNull();
  });
});

describe('matchCamera', () => {
  const cameras = [
    { id: 'cam-mac', links: { hikvision: { macAddress: 'AC-B9-2F-49-44-75' } } },
    { id: 'cam-mac-ch', links: { hikvision: { macAddress: 'ac:b9:2f:49:44:75', channelID: '01' } } },
    { id: 'cam-nvr-a', links: { hikvision: { channelID: '34' } } },
    { id: 'cam-nvr-b', links: { hikvision: { channelID: '34' } } },
    { id: 'cam-empty', links: { hikvision: {} } },
    {
      id: 'cam-onvif',
      links: { onvif: { producer: 'uri://94fbe18e-0af8-40d2-8539-67b6ea550c6e/ProducerReference' } },
    },
    {
      id: 'cam-onvif-src',
      links: {
        onvif: { producer: 'uri://755cc9bb-cf3a-410b-bd1b-0ec97c6d6256/ProducerReference', source: '0' },
      },
    },
    { id: 'cam-frigate', links: { frigate: { camera: 'front_door' } } },
    { id: 'cam-none', links: null },
  ];

  it('the most specific link wins, a MAC in any spelling', () => {
    const e = first(parseHikvisionXml(fixture('hikvision-next-fielddetection_human.xml'), opts));
    expect(matchCamera(e.device, cameras)).toBe('cam-mac-ch');
    expect(matchCamera({ hikvision: { macAddress: 'ac:b9:2f:49:44:75', channelID: '2' } }, cameras)).toBe(
      'cam-mac',
    );
  });

  it('a tie is no camera, an empty link matches nothing, unknown devices are null', () => {
    expect(
      matchCamera(
        first(parseHikvisionXml(fixture('hikvision-next-nvr_2_fielddetection.xml'), opts)).device,
        cameras,
      ),
    ).toBeNull();
    expect(matchCamera({ hikvision: {} }, cameras)).toBeNull();
    expect(matchCamera({ hikvision: { macAddress: '00:00:00:00:00:00' } }, cameras)).toBeNull();
  });

  it('ONVIF by producer (and source when linked), Frigate by camera name', () => {
    expect(matchCamera(first(parseOnvif(fixture('axis-pir-change.xml'), opts)).device, cameras)).toBe(
      'cam-onvif',
    );
    expect(
      matchCamera(
        first(parseOnvif(fixture('axis-rule-engine-region-detector-init.xml'), opts)).device,
        cameras,
      ),
    ).toBe('cam-onvif-src');
    expect(
      matchCamera(
        { onvif: { producer: 'uri://755cc9bb-cf3a-410b-bd1b-0ec97c6d6256/ProducerReference', source: '1' } },
        cameras,
      ),
    ).toBeNull();
    expect(matchCamera(first(parseFrigate(frigateMessage('events', 'new'), opts)).device, cameras)).toBe(
      'cam-frigate',
    );
    expect(matchCamera({ frigate: { camera: 'back_door' } }, cameras)).toBeNull();
  });
});

describe('CameraLinksPatch (contract: PATCH /api/v1/cameras/:id {links})', () => {
  it('accepts the contract shape and is strict', () => {
    const ok = {
      links: {
        hikvision: { ipAddress: '192.168.1.64', macAddress: '44:47:cc:11:22:33', channelID: '1' },
        onvif: { producer: 'uri://x/ProducerReference', source: 'VideoSourceToken' },
        frigate: { camera: 'front_door' },
      },
    };
    expect(CameraLinksPatch.parse(ok)).toEqual(ok);
    expect(CameraLinksPatch.safeParse({ links: {} }).success).toBe(true);
    expect(CameraLinksPatch.safeParse({ links: { dahua: {} } }).success).toBe(false);
    expect(CameraLinksPatch.safeParse({ links: { onvif: {} } }).success).toBe(false);
    expect(CameraLinksPatch.safeParse({ links: { frigate: { camera: 'a', extra: 1 } } }).success).toBe(false);
    expect(CameraLinksPatch.safeParse({ links: { frigate: { camera: '\u200b' } } }).success).toBe(false);
    expect(CameraLinksPatch.safeParse({ links: { frigate: { camera: 'a\nb' } } }).success).toBe(false);
  });
});
