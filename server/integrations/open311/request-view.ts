/**
 * A case as an Open311 service request (`GET requests`, `GET requests/:id`). Open311 knows only
 * `open` and `closed`; the case's own step goes in `status_notes`, in Chinese and English, and the
 * current step's deadline is `expected_datetime`. Times carry Beijing's offset, as CAP's do.
 */
import { CATEGORY_NAMES } from '../../../shared/category.ts';
import type { CaseStep } from '../../../shared/case-rules.ts';
import type { Incident } from '../../../shared/incident.ts';
import { capDateTime } from '../../warnings/cap-write.ts';
import { publicParts } from './request-input.ts';

export type Open311Request = {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string;
  service_notice: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string;
  address: string;
  address_id: string;
  zipcode: string;
  lat: number;
  long: number;
  media_url: string;
};

const STEP_NAMES: Record<CaseStep, string> = {
  verify: '核实 verify',
  dispatch: '派遣 dispatch',
  handle: '处置 handle',
  inspect: '核查 inspect',
  close: '结案 close',
};

/** What a citizen is told about where the case is. */
export function statusNotes(c: Pick<Incident, 'status' | 'steps'>): string {
  if (c.status === 'closed') return '已结案 closed';
  if (c.status === 'voided') return '已作废 voided';
  if (c.status === 'deferred') return '挂账 deferred';
  const running = [...c.steps].reverse().find((s) => s.finishedAt === undefined);
  return running ? `${STEP_NAMES[running.step]}` : `受理 ${c.status}`;
}

export function open311Request(
  c: Incident,
  departmentName: (id: string) => string | undefined,
): Open311Request {
  const running = [...c.steps].reverse().find((s) => s.finishedAt === undefined);
  const closed = c.status === 'closed' || c.status === 'voided';
  const shown = c.description ? publicParts(c.description) : { text: '', mediaUrl: '' };
  return {
    service_request_id: c.id,
    status: closed ? 'closed' : 'open',
    status_notes: statusNotes(c),
    service_name: CATEGORY_NAMES[c.category].zh,
    service_code: c.category,
    description: shown.text || c.title,
    agency_responsible: (c.departmentId && departmentName(c.departmentId)) || '',
    service_notice: '',
    requested_datetime: capDateTime(Date.parse(c.createdAt)),
    updated_datetime: capDateTime(Date.parse(c.updatedAt)),
    expected_datetime: running && !closed ? capDateTime(Date.parse(running.dueAt)) : '',
    address: c.address || c.locationLabel,
    address_id: '',
    zipcode: '',
    lat: c.location.lat,
    long: c.location.lng,
    media_url: shown.mediaUrl,
  };
}
