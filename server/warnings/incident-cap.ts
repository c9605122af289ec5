/**
 * An incident as CAP 1.2 (`GET /api/v1/incidents/:id/cap.xml`): for the neighbouring districts'
 * and the city's systems that take CAP. The alert is Restricted (the centre's own cases carry
 * reporters' words and places: not for the public), one info in Chinese, the place as a circle.
 */
import { caseEnded } from '../../shared/case.ts';
import type { Incident, IncidentCategory } from '../../shared/incident.ts';
import type { CapAlert, CapInfo } from './cap-model.ts';
import { capDateTime } from './cap-write.ts';

export type IncidentCapOptions = {
  /** CAP `sender`: the centre's address (CAP_SENDER), e.g. `zhihui@haidian.gov.cn`. */
  sender: string;
  /** The circle around the reported point, in km (CAP circles are `lat,lon radius`). */
  radiusKm?: number;
};

/** Our categories in CAP's (CAP 1.2 §3.2.2 `category`). */
export const CAP_CATEGORY_OF: Record<IncidentCategory, CapInfo['categories'][number]> = {
  fire: 'Fire',
  gas_leak: 'Safety',
  flood: 'Met',
  hazmat: 'CBRNE',
  crowd: 'Safety',
  traffic: 'Transport',
  infrastructure: 'Infra',
  environment: 'Env',
  public_order: 'Security',
  other: 'Other',
};

/** Severity I (most severe) to IV, as CAP's severity and urgency. */
const CAP_SEVERITY = { 1: 'Extreme', 2: 'Severe', 3: 'Moderate', 4: 'Minor' } as const;
const CAP_URGENCY = { 1: 'Immediate', 2: 'Immediate', 3: 'Expected', 4: 'Future' } as const;

/** Whether the centre has checked it: accepted only is a report, verified onwards observed. */
const certainty = (i: Incident): CapInfo['certainty'] =>
  i.status === 'accepted' ? 'Likely' : i.status === 'voided' ? 'Unlikely' : 'Observed';

/**
 * The identifier is per version (`<id>.v<version>`: CAP identifiers are unique per message), and
 * a later version references nothing: a receiver that holds an older one takes the newer by the
 * incident id in `incidents`.
 */
export function incidentCap(i: Incident, opts: IncidentCapOptions): CapAlert {
  const updated = Date.parse(i.updatedAt);
  const finished = caseEnded(i.status);
  return {
    identifier: `${i.id}.v${i.version}`,
    sender: opts.sender,
    sent: capDateTime(updated),
    status: 'Actual',
    msgType: 'Alert',
    source: 'Pingzhan',
    scope: 'Restricted',
    restriction: '仅供区指挥中心及其处置单位使用 · For the district command centre and its responders',
    codes: [],
    incidents: [i.id],
    note: `status ${i.status}`,
    infos: [
      {
        language: 'zh-CN',
        categories: [CAP_CATEGORY_OF[i.category]],
        event: i.category,
        responseTypes: finished ? ['AllClear'] : ['Monitor'],
        urgency: finished ? 'Past' : CAP_URGENCY[i.severity],
        severity: CAP_SEVERITY[i.severity],
        certainty: certainty(i),
        eventCodes: [],
        effective: capDateTime(Date.parse(i.reportedAt)),
        senderName: '区城市运行指挥中心',
        headline: i.title,
        ...(i.description ? { description: i.description } : {}),
        parameters: [],
        resources: [],
        areas: [
          {
            areaDesc: i.address || i.locationLabel,
            polygons: [],
            circles: [
              { center: { lat: i.location.lat, lon: i.location.lng }, radiusKm: opts.radiusKm ?? 0.5 },
            ],
            geocodes: [],
          },
        ],
      },
    ],
  };
}
