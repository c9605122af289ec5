import { describe, expect, it } from 'vitest';
import { mulberry32, pick } from '../../../shared/random.ts';
import { VideoAlertIntake } from '../../../shared/video-alert.ts';
import {
  DEFAULT_DEBOUNCE,
  emptyDebounceState,
  step,
  sweep,
  type DebounceState,
  type Decision,
} from './debounce.ts';
import { parseHikvisionXml } from './hikvision.ts';
import { parseOnvif } from './onvif.ts';
import { parseFrigate } from './frigate.ts';
import { alertTypeOf } from './mapping.ts';
import { fixture, frigateMessage } from './fixtures/variants.ts';
import type { VendorEvent } from './vendor-event.ts';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const opts = { receivedAt: T0 };
const first = (r: { ok: true; events: VendorEvent[] } | { ok: false }) => {
  if (!r.ok) throw new Error('parse failed');
  return r.events[0];
};

/** Feeds events one after the other (each at its own `now`), collecting every decision. */
function run(
  events: Array<[VendorEvent, number]>,
  cameraId = 'cam-1',
  state: DebounceState = emptyDebounceState(),
) {
  const decisions: Decision[] = [];
  for (const [event, now] of events) {
    const r = step(state, { cameraId, event, alertType: alertTypeOf(event) }, now);
    state = r.state;
    decisions.push(...r.decisions);
  }
  return { state, decisions, alerts: decisions.filter((d) => d[0] === 'alert') };
}

describe('debounce', () => {
  const vmd = first(parseHikvisionXml(fixture('hikvision-next-ipc_thermometry_motiondetection.xml'), opts));
  const heartbeat = first(parseHikvisionXml(fixture('moonfire-videoloss-heartbeat.xml'), opts));

  it('a Hikvision alarm repeated every second (activePostCount rising) is one alert', () => {
    const base = fixture('hikvision-next-ipc_thermometry_motiondetection.xml').toString();
    const posts = Array.from(
      { length: 30 },
      (_, i) =>
        [
          first(
            parseHikvisionXml(
              base.replace(
                '<activePostCount>1</activePostCount>',
                `<activePostCount>${i + 1}</activePostCount>`,
              ),
              opts,
            ),
          ),
          T0 + i * 1000,
        ] as [VendorEvent, number],
    );
    const { alerts, decisions } = run(posts);
    expect(alerts).toHaveLength(1);
    expect(decisions[0]).toEqual(['camera', { cameraId: 'cam-1', status: 'online' }]);
    const [, alert] = alerts[0] as ['alert', Record<string, unknown>];
    expect(alert).toMatchObject({
      cameraId: 'cam-1',
      type: 'intrusion',
      confidence: DEFAULT_DEBOUNCE.defaultConfidence,
    });
    // What the lead posts to the intake must pass its schema.
    const { snapshot: _s, ...intake } = alert;
    expect(VideoAlertIntake.safeParse(intake).success).toBe(true);
  });

  it('a new alert after a quiet window, or after the event ended', () => {
    expect(
      run([
        [vmd, T0],
        [vmd, T0 + DEFAULT_DEBOUNCE.quietMs + 1],
      ]).alerts,
    ).toHaveLength(2);
    const inactive = { ...vmd, active: false };
    expect(
      run([
        [vmd, T0],
        [inactive, T0 + 1000],
        [vmd, T0 + 2000],
      ]).alerts,
    ).toHaveLength(2);
  });

  it('ONVIF: Initialized raises nothing, Changed repeated is one alert', () => {
    const init = first(parseOnvif(fixture('axis-pir-init.xml'), opts));
    const change = first(parseOnvif(fixture('axis-pir-change.xml'), opts));
    const { alerts, decisions } = run([
      [init, T0],
      [change, T0 + 1000],
      [change, T0 + 2000],
      [change, T0 + 3000],
    ]);
    expect(alerts).toHaveLength(1);
    expect(decisions.filter((d) => d[0] === 'camera')).toHaveLength(1);
  });

  it('Frigate: new, updates and end of one id are one alert, never again for that id', () => {
    const msgs = (['new', 'update', 'update', 'end', 'update'] as const).map(
      (t, i) =>
        [first(parseFrigate(frigateMessage('events', t), opts)), T0 + i * DEFAULT_DEBOUNCE.quietMs * 2] as [
          VendorEvent,
          number,
        ],
    );
    const { alerts } = run(msgs);
    expect(alerts).toHaveLength(1);
    expect((alerts[0] as ['alert', { externalId: string; confidence: number }])[1]).toMatchObject({
      externalId: 'frigate:event:1607123955.475377-mxklsc',
      confidence: 0.958984375,
    });
  });

  it('Frigate: an event and the review of the same detection are one alert; after a quiet window, a new one', () => {
    const event = first(parseFrigate(frigateMessage('events', 'new'), opts));
    const review = first(parseFrigate(frigateMessage('reviews', 'new'), opts));
    // Both on one camera here (run() feeds every event to one camera id), as Frigate sends them.
    const { alerts } = run([
      [event, T0],
      [review, T0 + 1000],
      [first(parseFrigate(frigateMessage('reviews', 'update'), opts)), T0 + 5000],
    ]);
    expect(alerts).toHaveLength(1);
    const other = frigateMessage('events', 'new');
    (other.after as Record<string, unknown>).id = 'other';
    const later = first(parseFrigate(other, opts));
    expect(
      run([
        [event, T0],
        [later, T0 + DEFAULT_DEBOUNCE.quietMs + 1],
      ]).alerts,
    ).toHaveLength(2);
  });

  it('heartbeats keep a camera online; silence past the timeout marks it offline, the next word online again', () => {
    const { state, decisions } = run([
      [heartbeat, T0],
      [heartbeat, T0 + 10_000],
    ]);
    expect(decisions).toEqual([['camera', { cameraId: 'cam-1', status: 'online' }]]);
    expect(sweep(state, T0 + 10_000 + DEFAULT_DEBOUNCE.offlineAfterMs).decisions).toEqual([]);
    const swept = sweep(state, T0 + 10_001 + DEFAULT_DEBOUNCE.offlineAfterMs);
    expect(swept.decisions).toEqual([['camera', { cameraId: 'cam-1', status: 'offline' }]]);
    expect(sweep(swept.state, T0 + 10 * DEFAULT_DEBOUNCE.offlineAfterMs).decisions).toEqual([]);
    const back = run([[heartbeat, T0 + 20 * DEFAULT_DEBOUNCE.offlineAfterMs]], 'cam-1', swept.state);
    expect(back.decisions).toEqual([['camera', { cameraId: 'cam-1', status: 'online' }]]);
  });

  it('is deterministic and leaves its input state untouched', () => {
    const s0 = emptyDebounceState();
    const a = step(s0, { cameraId: 'c', event: vmd, alertType: 'intrusion' }, T0);
    const b = step(s0, { cameraId: 'c', event: vmd, alertType: 'intrusion' }, T0);
    expect(a).toEqual(b);
    expect(s0).toEqual(emptyDebounceState());
    expect(JSON.parse(JSON.stringify(a.state))).toEqual(a.state);
  });

  it('seeded fuzz: never two alerts for one Frigate event id, never a throw', () => {
    const others = [
      'hikvision-next-fielddetection_human.xml',
      'moonfire-videoloss-heartbeat.xml',
      'moonfire-vmd-std-cgi.xml',
    ].map((f) => first(parseHikvisionXml(fixture(f), opts)));
    others.push(
      ...['axis-pir-init.xml', 'axis-pir-change.xml'].map((f) => first(parseOnvif(fixture(f), opts))),
    );
    for (const seed of [1, 2, 3, 42, 2026]) {
      const rand = mulberry32(seed);
      let state = emptyDebounceState();
      let now = T0;
      const alertsPerId = new Map<string, number>();
      const ids = Array.from({ length: 12 }, (_, i) => `1607123955.${i}-fuzz`);
      for (let i = 0; i < 3000; i++) {
        now += Math.floor(rand() * 3 * DEFAULT_DEBOUNCE.quietMs);
        const m = frigateMessage(
          rand() < 0.5 ? 'events' : 'reviews',
          pick(rand, ['new', 'update', 'end'] as const),
        ) as {
          after: Record<string, unknown> & { data?: { objects: string[] } };
        };
        m.after.id = pick(rand, ids);
        m.after.camera = pick(rand, ['front_door', 'yard']);
        if ('label' in m.after) m.after.label = pick(rand, ['person', 'car', 'fire', 'dog']);
        else m.after.data!.objects = [pick(rand, ['person', 'smoke', 'cat'])];
        const parsed = parseFrigate(m, opts);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
        for (const event of parsed.events) {
          const r = step(
            state,
            {
              cameraId: (event.device as { frigate: { camera: string } }).frigate.camera,
              event,
              alertType: alertTypeOf(event),
            },
            now,
          );
          state = r.state;
          for (const d of r.decisions)
            if (d[0] === 'alert')
              alertsPerId.set(d[1].externalId, (alertsPerId.get(d[1].externalId) ?? 0) + 1);
        }
        // Other vendors' alarms and heartbeats in between, on the same cameras.
        if (rand() < 0.3) {
          const other = pick(rand, others);
          state = step(
            state,
            { cameraId: pick(rand, ['front_door', 'yard']), event: other, alertType: alertTypeOf(other) },
            now,
          ).state;
        }
        if (rand() < 0.05) state = sweep(state, now).state;
      }
      expect([...alertsPerId].filter(([, n]) => n > 1)).toEqual([]);
      expect(alertsPerId.size).toBeGreaterThan(0);
    }
  });
});
