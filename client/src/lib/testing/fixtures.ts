/** Test fixtures shared by the client's unit tests (not bundled: only *.test.ts import it). */
import type {
  Camera,
  Incident,
  LiveEvent,
  Operation,
  Resource,
  Severity,
  Snapshot,
  VideoAlert,
} from '../../../../shared/index.ts';
import type { Warning } from '../../../../shared/warning.ts';

export const T0 = '2024-06-01T08:00:00.000Z';

export function incident(id: string, patch: Partial<Incident> = {}): Incident {
  return {
    id,
    source: 'hotline',
    kind: 'emergency',
    category: 'fire',
    title: `Incident ${id}`,
    location: { lng: 116.3, lat: 39.9 },
    locationLabel: '海淀区 · 万寿路街道',
    streetId: 's1',
    communityId: 'c1',
    outsideDistrict: false,
    severity: 2 as Severity,
    status: 'accepted',
    reportedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    reportCount: 1,
    mergedIds: [],
    videoAlertIds: [],
    operationIds: [],
    departmentId: null,
    level: 'community',
    rulesVersion: 0,
    steps: [],
    lastAction: { at: T0, action: 'accepted' },
    version: 1,
    ...patch,
  };
}

export function videoAlert(id: string, patch: Partial<VideoAlert> = {}): VideoAlert {
  return {
    id,
    cameraId: 'cam1',
    cameraName: '万寿路口 1号',
    type: 'smoke',
    confidence: 0.9,
    location: { lng: 116.31, lat: 39.91 },
    locationLabel: '海淀区 · 万寿路街道',
    streetId: 's1',
    communityId: 'c1',
    observedAt: T0,
    createdAt: T0,
    updatedAt: T0,
    status: 'new',
    incidentId: null,
    version: 1,
    ...patch,
  };
}

export function resource(id: string, patch: Partial<Resource> = {}): Resource {
  return {
    id,
    name: `Engine ${id}`,
    type: 'fire_engine',
    unit: '消防一站',
    home: { lng: 116.29, lat: 39.92 },
    homeName: '消防一站',
    status: 'available',
    location: { lng: 116.29, lat: 39.92 },
    incidentId: null,
    operationId: null,
    dispatchId: null,
    updatedAt: T0,
    version: 1,
    ...patch,
  };
}

export function camera(id: string, patch: Partial<Camera> = {}): Camera {
  return {
    id,
    name: `Camera ${id}`,
    location: { lng: 116.32, lat: 39.93 },
    streetId: 's1',
    communityId: 'c1',
    kind: 'road',
    ...patch,
  };
}

export function operation(id: string, patch: Partial<Operation> = {}): Operation {
  return {
    id,
    planId: 'p1',
    planName: '燃气泄漏预案',
    planNameEn: 'Gas leak plan',
    incidentId: 'i1',
    name: '燃气泄漏处置',
    level: 2,
    status: 'active',
    cordonRadiusM: 200,
    tasks: [
      {
        id: 't1',
        title: '疏散',
        titleEn: 'Evacuate',
        unit: '街道',
        role: 'liaison',
        order: 1,
        status: 'pending',
        dueAt: T0,
        overdue: false,
        doneAt: null,
        updatedAt: T0,
      },
    ],
    proposals: [],
    resourceIds: [],
    activatedAt: T0,
    activatedBy: 'commander',
    stoodDownAt: null,
    stoodDownBy: null,
    version: 1,
    ...patch,
  };
}

export function snapshot(patch: Partial<Snapshot> = {}): Snapshot {
  return {
    seq: 0,
    mode: { state: 'peacetime', since: T0, operationIds: [] },
    incidents: [],
    videoAlerts: [],
    resources: [],
    plans: [],
    operations: [],
    warnings: [],
    cameras: [],
    ...patch,
  };
}

export function ev(seq: number, e: Omit<LiveEvent, 'seq' | 'at'> & { at?: string }): LiveEvent {
  return { at: T0, ...e, seq } as LiveEvent;
}

/** The seeded generator, so a failing fuzz case can be replayed from its seed. */
export { mulberry32 as rng } from '../../../../shared/random.ts';

/** An active, live warning over a small square near Zhongguancun. */
export function warning(id: string, patch: Partial<Warning> = {}): Warning {
  return {
    id,
    sender: 'qx@example.cn',
    identifier: `cap-${id}`,
    sent: '2024-06-01T16:00:00+08:00',
    status: 'Actual',
    msgType: 'Alert',
    routing: 'live',
    state: 'active',
    colour: 'yellow',
    capSeverity: 'Moderate',
    event: '暴雨',
    headline: '暴雨黄色预警',
    description: '',
    area: {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [116.3, 39.98],
                [116.32, 39.98],
                [116.32, 40.0],
                [116.3, 40.0],
                [116.3, 39.98],
              ],
            ],
          },
          properties: { areaDesc: '中关村' },
        },
      ],
    },
    onset: T0,
    expires: '2024-06-02T08:00:00.000Z',
    expiresDefaulted: false,
    messages: [
      {
        sender: 'qx@example.cn',
        identifier: `cap-${id}`,
        sent: '2024-06-01T16:00:00+08:00',
        msgType: 'Alert',
      },
    ],
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...patch,
  };
}
