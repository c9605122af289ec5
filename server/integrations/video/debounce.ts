import type { VideoAlertType } from '../../../shared/video-alert.ts';
import type { Snapshot, VendorEvent } from './vendor-event.ts';

/**
 * From a stream of vendor events to what Pingzhan does: raise an alert, mark a camera online or
 * offline. Pure and deterministic (state in, state out; `now` is given), and the state is plain
 * JSON so it can live in Redis between requests.
 *
 * - An active alarm raises one alert; its repeats (Hikvision posts every second with a rising
 *   `activePostCount`, ONVIF repeats `Changed IsMotion=true`) raise nothing while they keep
 *   coming within `quietMs` of each other. After the event ended (inactive, Frigate `end`) or a
 *   silence longer than `quietMs`, the next active one is a new alert.
 * - An event with the vendor's id (Frigate) raises at most one alert per id, ever (ids are kept
 *   `idRetentionMs`, far beyond any event's life), and none while another id's alert of the same
 *   type on that camera goes on (Frigate's `events` and `reviews` of one detection).
 * - Anything from a camera says it is online; `sweep` marks offline a camera silent past `offlineAfterMs`.
 */

export type DebounceConfig = {
  quietMs: number;
  offlineAfterMs: number;
  idRetentionMs: number;
  /** The confidence of an alert whose vendor states none (camera motion rules). */
  defaultConfidence: number;
};

export const DEFAULT_DEBOUNCE: DebounceConfig = {
  quietMs: 60_000,
  offlineAfterMs: 5 * 60_000,
  idRetentionMs: 24 * 3_600_000,
  defaultConfidence: 0.8,
};

export type DebounceState = {
  /** Open alarms by key (camera, vendor, type), with when they were last heard of. */
  open: Record<string, { since: number; lastSeen: number }>;
  /** Vendor event ids that raised (or were refused) an alert, with when they were last heard of. */
  ids: Record<string, number>;
  cameras: Record<string, { status: 'online' | 'offline'; lastSeen: number }>;
};

export const emptyDebounceState = (): DebounceState => ({ open: {}, ids: {}, cameras: {} });

export type AlertDecision = {
  cameraId: string;
  type: VideoAlertType;
  confidence: number;
  observedAt: string;
  externalId: string;
  snapshot?: Snapshot;
};

export type Decision =
  ['alert', AlertDecision] | ['camera', { cameraId: string; status: 'online' | 'offline' }];

export type DebounceInput = { cameraId: string; event: VendorEvent; alertType: VideoAlertType | null };

export function step(
  state: DebounceState,
  input: DebounceInput,
  now: number,
  config: DebounceConfig = DEFAULT_DEBOUNCE,
): { state: DebounceState; decisions: Decision[] } {
  const { cameraId, event, alertType } = input;
  const decisions: Decision[] = [];
  const next: DebounceState = {
    open: { ...state.open },
    ids: { ...state.ids },
    cameras: { ...state.cameras },
  };

  if (next.cameras[cameraId]?.status !== 'online') decisions.push(['camera', { cameraId, status: 'online' }]);
  next.cameras[cameraId] = { status: 'online', lastSeen: now };
  if (event.kind !== 'alarm') return { state: next, decisions };

  if (event.eventId !== undefined) {
    const idKey = `${event.vendor}|${event.eventId}`;
    const known = idKey in next.ids;
    next.ids[idKey] = now;
    // Frigate reports one detection twice, as a tracked object (`events`) and in a review
    // (`reviews`), under different ids. So an alert of a type opens an episode on its camera:
    // another id of the same type there while it goes on (messages within `quietMs`) raises nothing.
    const episodeKey = `${cameraId}|${event.vendor}|~${alertType}`;
    const episode = next.open[episodeKey];
    const ongoing = episode !== undefined && now - episode.lastSeen <= config.quietMs;
    if (event.active && alertType !== null)
      next.open[episodeKey] = { since: ongoing ? episode.since : now, lastSeen: now };
    if (!known && !ongoing && event.active && alertType !== null)
      decisions.push(['alert', intake(input, config)]);
    return { state: next, decisions };
  }

  const key = `${cameraId}|${event.vendor}|${event.vendorType}`;
  const open = next.open[key];
  if (!event.active) {
    delete next.open[key];
    return { state: next, decisions };
  }
  if (open && now - open.lastSeen <= config.quietMs) {
    next.open[key] = { since: open.since, lastSeen: now };
    return { state: next, decisions };
  }
  next.open[key] = { since: now, lastSeen: now };
  if (alertType !== null) decisions.push(['alert', intake(input, config)]);
  return { state: next, decisions };
}

/** Cameras silent past `offlineAfterMs` go offline; what nobody will ask about again is dropped. */
export function sweep(
  state: DebounceState,
  now: number,
  config: DebounceConfig = DEFAULT_DEBOUNCE,
): { state: DebounceState; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const cameras: DebounceState['cameras'] = {};
  for (const [cameraId, c] of Object.entries(state.cameras)) {
    if (c.status === 'online' && now - c.lastSeen > config.offlineAfterMs) {
      decisions.push(['camera', { cameraId, status: 'offline' }]);
      cameras[cameraId] = { status: 'offline', lastSeen: c.lastSeen };
    } else cameras[cameraId] = c;
  }
  const open: DebounceState['open'] = {};
  for (const [k, o] of Object.entries(state.open)) if (now - o.lastSeen <= config.quietMs) open[k] = o;
  const ids: DebounceState['ids'] = {};
  for (const [k, t] of Object.entries(state.ids)) if (now - t <= config.idRetentionMs) ids[k] = t;
  return { state: { open, ids, cameras }, decisions };
}

/** VideoAlertIntake's externalId is at most 128 characters; a longer key keeps its head and a hash. */
function externalIdOf(s: string): string {
  if (s.length <= 128) return s;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return `${s.slice(0, 119)}#${h.toString(16).padStart(8, '0')}`;
}

function intake({ cameraId, event, alertType }: DebounceInput, config: DebounceConfig): AlertDecision {
  const externalId = externalIdOf(
    event.eventId !== undefined
      ? `${event.vendor}:${event.eventId}`
      : `${event.vendor}:${cameraId}:${event.vendorType}:${Date.parse(event.observedAt)}`,
  );
  const decision: AlertDecision = {
    cameraId,
    type: alertType!,
    confidence: event.confidence ?? config.defaultConfidence,
    observedAt: event.observedAt,
    externalId,
  };
  if (event.snapshot) decision.snapshot = event.snapshot;
  return decision;
}
