import type { IncidentIntake } from '../../shared/incident.ts';
import type { VideoAlertIntake } from '../../shared/video-alert.ts';
import { currentRequestId } from '../infra/request-id.ts';
import type { JobName } from '../pipeline/registry.ts';
import { DomainError } from '../infra/domain-errors.ts';
import { intakeId } from '../infra/ids.ts';

/**
 * Who sends (see identity's `senderOf`): the actor of its events and the scope its externalIds
 * are unique in. A bare string is an integration's name (its scope `key:<name>`), as the adapters
 * (Open311, the video platforms) hold it.
 */
export type IntakeSender = { actor: string; scope: string } | string;

const senderParts = (s: IntakeSender) => (typeof s === 'string' ? { actor: s, scope: `key:${s}` } : s);
import type { RateLimiter } from './rate-limiter.ts';
import type { SnapshotHosts } from './snapshot-hosts.ts';
import type { StoredSnapshot } from '../integrations/video/snapshot-store.ts';

export interface IntakeQueue {
  add(name: JobName, data: unknown, jobId: string): Promise<void>;
  backlog(): Promise<number>;
}

/** Accepts reports into the durable pipeline; nothing here touches the state directly. */
export class IntakeService {
  constructor(
    private readonly queue: IntakeQueue,
    private readonly cameraIds: ReadonlySet<string>,
    private readonly limiter: RateLimiter,
    private readonly highWater: number,
    private readonly snapshotHosts: SnapshotHosts,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Rate limit per sender, then the backlog: 429 / 503 before anything is queued (CAP intake too). */
  async admit(caller: string): Promise<void> {
    const wait = this.limiter.take(caller);
    if (wait > 0)
      throw new DomainError(429, 'rate_limited', 'too many requests from this sender', undefined, wait);
    if ((await this.queue.backlog()) >= this.highWater) {
      throw new DomainError(503, 'pipeline_busy', 'the pipeline cannot take more right now', undefined, 5);
    }
  }

  /**
   * `requestId` (by default the HTTP request being served) rides on the job, so the worker's log
   * line for it carries the same id as the request's.
   */
  async submitIncident(
    input: IncidentIntake,
    sender: IntakeSender,
    requestId: string | undefined = currentRequestId(),
  ): Promise<{ id: string; status: 'queued' }> {
    const { actor, scope } = senderParts(sender);
    await this.admit(actor);
    // Scoped by the sender: another system's `(source, externalId)` is another incident.
    const id = intakeId('INC', `${scope}\0${input.source}`, input.externalId);
    await this.queue.add(
      'intake.incident',
      { id, input, actor, receivedAt: this.clock().toISOString(), ...(requestId ? { requestId } : {}) },
      id,
    );
    return { id, status: 'queued' };
  }

  /** `stored`: the alarm's own image, already stored durably by the video adapters. */
  async submitVideoAlert(
    input: VideoAlertIntake,
    sender: IntakeSender,
    requestId: string | undefined = currentRequestId(),
    stored: { snapshot?: StoredSnapshot } = {},
  ): Promise<{ id: string; status: 'queued' }> {
    // What the schema cannot know: the deployment's cameras and snapshot hosts. Every bad field at once.
    const issues: { path: string; message: string }[] = [];
    if (!this.cameraIds.has(input.cameraId))
      issues.push({ path: 'cameraId', message: `unknown camera "${input.cameraId}"` });
    const snapshot = input.snapshotUrl === undefined ? null : this.snapshotHosts.problem(input.snapshotUrl);
    if (snapshot) issues.push({ path: 'snapshotUrl', message: snapshot });
    if (issues.length)
      throw new DomainError(
        400,
        'invalid_request',
        issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        issues,
      );
    const { actor, scope } = senderParts(sender);
    await this.admit(actor);
    const id = intakeId('VA', `${scope}\0camera:${input.cameraId}`, input.externalId);
    await this.queue.add(
      'intake.video_alert',
      {
        id,
        input,
        actor,
        receivedAt: this.clock().toISOString(),
        ...(requestId ? { requestId } : {}),
        ...(stored.snapshot ? { snapshot: stored.snapshot } : {}),
      },
      id,
    );
    return { id, status: 'queued' };
  }
}
