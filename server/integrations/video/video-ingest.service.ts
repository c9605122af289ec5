import { VideoAlertIntake } from '../../../shared/video-alert.ts';
import type { CameraService } from '../../cameras/camera.service.ts';
import { DomainError } from '../../infra/domain-errors.ts';
import { currentRequestId } from '../../infra/request-id.ts';
import type { IntakeSender, IntakeService } from '../../intake/intake.service.ts';
import {
  DEFAULT_DEBOUNCE,
  step,
  sweep,
  type AlertDecision,
  type DebounceConfig,
  type DebounceState,
} from './debounce.ts';
import { parseFrigate, frigateTopicOf } from './frigate.ts';
import { parseHikvisionBody } from './hikvision.ts';
import { alertTypeOf, matchCamera } from './mapping.ts';
import { parseOnvif } from './onvif.ts';
import type { SnapshotStore, StoredSnapshot } from './snapshot-store.ts';
import type { ParseResult, VendorDevice, VendorEvent } from './vendor-event.ts';
import type { VideoDebounceRepository } from './video-debounce.repository.ts';

/** What an adapter answers with its 202: the alerts queued (none for a repeat or a heartbeat), the cameras heard. */
export type VideoIngestAnswer = { alerts: { id: string; status: 'queued' }[]; cameras: string[] };

/** How long a request waits for another one holding the same camera before a 503. */
const LOCK_WAIT_MS = 3_000;

const XML_TYPES = /^(application|text)\/([\w.+-]+\+)?xml$/;
const mediaType = (ct: string | undefined) => (ct ?? '').split(';')[0].trim().toLowerCase();

/**
 * Events from video platforms into the durable intake: parse (400 naming every problem), match
 * each event to a camera by its links (422 `unknown_camera`, nothing written), debounce (state
 * in Redis, one camera at a time across processes), then `IntakeService.submitVideoAlert` for
 * each new alert: the pipeline worker creates it, as for any other alert. Every message also
 * says its camera is online (or, for its own video loss, offline).
 *
 * Writes happen only once the whole message was found good: a 4xx leaves everything as it was.
 */
export class VideoIngestService {
  constructor(
    private readonly cameras: CameraService,
    private readonly intake: IntakeService,
    private readonly debounce: VideoDebounceRepository,
    private readonly snapshots: SnapshotStore,
    private readonly config: DebounceConfig = DEFAULT_DEBOUNCE,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** `POST /api/v1/integrations/hikvision`: an EventNotificationAlert, as XML or multipart with its image. */
  async hikvision(
    body: Uint8Array,
    contentType: string | undefined,
    sender: IntakeSender,
    peerAddress?: string,
  ): Promise<VideoIngestAnswer> {
    const type = mediaType(contentType);
    if (type !== '' && !XML_TYPES.test(type) && !type.startsWith('multipart/'))
      throw unsupported('application/xml, text/xml or multipart/* (an XML part and an image part)');
    const receivedAt = this.clock().getTime();
    return this.ingest(
      parseHikvisionBody(body, contentType, { receivedAt, ...(peerAddress ? { peerAddress } : {}) }),
      sender,
      receivedAt,
    );
  }

  /** `POST /api/v1/integrations/onvif`: a wsnt:Notify (SOAP or bare) or a tt:MetadataStream. */
  async onvif(
    body: Uint8Array,
    contentType: string | undefined,
    sender: IntakeSender,
  ): Promise<VideoIngestAnswer> {
    const type = mediaType(contentType);
    if (type !== '' && !XML_TYPES.test(type)) throw unsupported('application/soap+xml or application/xml');
    const receivedAt = this.clock().getTime();
    return this.ingest(parseOnvif(body, { receivedAt }), sender, receivedAt);
  }

  /**
   * A Frigate `events` or `reviews` message: the body of `POST /api/v1/integrations/frigate`, or
   * an MQTT payload (then `topic` tells which, `frigate/events` or `frigate/reviews`). Bytes,
   * text or an already parsed object.
   */
  async frigate(body: unknown, sender: IntakeSender, topic?: string): Promise<VideoIngestAnswer> {
    const receivedAt = this.clock().getTime();
    const t = topic === undefined ? null : frigateTopicOf(topic);
    return this.ingest(parseFrigate(body, { receivedAt, ...(t ? { topic: t } : {}) }), sender, receivedAt);
  }

  private async ingest(
    parsed: ParseResult,
    sender: IntakeSender,
    receivedAt: number,
  ): Promise<VideoIngestAnswer> {
    if (!parsed.ok)
      throw new DomainError(
        400,
        'invalid_request',
        parsed.problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; '),
        parsed.problems.map((p) => ({ path: p.path || 'body', message: p.message })),
      );
    const linked = await this.cameras.linked();
    const byCamera = new Map<string, VendorEvent[]>();
    const unknown: VendorDevice[] = [];
    for (const event of parsed.events) {
      const cameraId = matchCamera(event.device, linked);
      if (cameraId === null) {
        // An NVR's own heartbeat (channel 0) names no camera: nothing to say, and no reason to refuse.
        if (event.kind !== 'heartbeat') unknown.push(event.device);
        continue;
      }
      byCamera.set(cameraId, [...(byCamera.get(cameraId) ?? []), event]);
    }
    if (unknown.length)
      throw new DomainError(
        422,
        'unknown_camera',
        `no camera is linked to ${unknown.map(describe).join(', ')} (PATCH /api/v1/cameras/:id {links})`,
        unknown.map((d) => ({ path: 'device', message: `no camera is linked to ${describe(d)}` })),
      );

    // A dry run on the states as they are: an alert our intake would refuse (a device time out of
    // range, say) is this request's 400 before anything at all is written.
    for (const [cameraId, events] of byCamera)
      this.decide(cameraId, events, await this.debounce.read(cameraId), receivedAt);

    const requestId = currentRequestId();
    const alerts: VideoIngestAnswer['alerts'] = [];
    for (const [cameraId, events] of byCamera) {
      const done = await this.debounce.withLock(cameraId, LOCK_WAIT_MS, async () => {
        const { state, inputs } = this.decide(
          cameraId,
          events,
          await this.debounce.read(cameraId),
          receivedAt,
        );
        const queued: VideoIngestAnswer['alerts'] = [];
        for (const { input, snapshot } of inputs) {
          // The image is on disk (fsynced) before the alert naming it is queued.
          const stored: StoredSnapshot | undefined = snapshot
            ? await this.snapshots.put(snapshot.bytes, snapshot.mime)
            : undefined;
          queued.push(
            await this.intake.submitVideoAlert(input, sender, requestId, stored ? { snapshot: stored } : {}),
          );
        }
        // Only once every alert is queued: a 429/503 from the intake leaves the state as it was,
        // so the device's retry raises the alert then.
        await this.debounce.write(cameraId, state);
        return queued;
      });
      if (done === null)
        throw new DomainError(
          503,
          'busy',
          `camera ${cameraId} is being updated by another request`,
          undefined,
          1,
        );
      alerts.push(...done.value);
      const last = events[events.length - 1];
      await this.cameras.heardFrom(cameraId, receivedAt, videoLost(last) ? 'offline' : 'online');
    }
    return { alerts, cameras: [...byCamera.keys()] };
  }

  /** One camera's events through the debounce: the next state and the alerts to queue, checked. */
  private decide(cameraId: string, events: VendorEvent[], before: DebounceState, now: number) {
    let state = sweep(before, now, this.config).state;
    const decided: AlertDecision[] = [];
    for (const event of events) {
      const r = step(state, { cameraId, event, alertType: alertTypeOf(event) }, now, this.config);
      state = r.state;
      for (const d of r.decisions) if (d[0] === 'alert') decided.push(d[1]);
    }
    const inputs = decided.map((d, i) => {
      const input = VideoAlertIntake.safeParse({
        cameraId: d.cameraId,
        type: d.type,
        confidence: d.confidence,
        observedAt: d.observedAt,
        externalId: d.externalId,
      });
      if (!input.success)
        throw new DomainError(
          400,
          'invalid_request',
          input.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '),
          input.error.issues.map((x) => ({ path: `alert[${i}].${x.path.join('.')}`, message: x.message })),
        );
      return { input: input.data, snapshot: d.snapshot };
    });
    return { state, inputs };
  }
}

/** The device says its own picture is gone (Hikvision `videoloss` active, ONVIF SignalLoss). */
function videoLost(e: VendorEvent): boolean {
  if (e.kind !== 'alarm' || !e.active) return false;
  const t = e.vendorType.toLowerCase();
  return t === 'videoloss' || t.endsWith('/signalloss');
}

function describe(d: VendorDevice): string {
  if ('hikvision' in d) {
    const h = d.hikvision;
    const parts = [
      h.ipAddress && `ipAddress ${h.ipAddress}`,
      h.macAddress && `macAddress ${h.macAddress}`,
      h.channelID && `channel ${h.channelID}`,
    ].filter(Boolean);
    return `Hikvision device (${parts.join(', ') || 'no address'})`;
  }
  if ('onvif' in d)
    return `ONVIF producer ${d.onvif.producer}${d.onvif.source ? ` source ${d.onvif.source}` : ''}`;
  return `Frigate camera "${d.frigate.camera}"`;
}

const unsupported = (what: string) => new DomainError(415, 'unsupported_media_type', `send ${what}`);
