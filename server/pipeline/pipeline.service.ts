import { caseEnded } from '../../shared/case.ts';
import { distanceM } from '../../shared/common.ts';
import {
  appendRecent,
  DEFAULT_SEVERITY,
  type Incident,
  type IncidentCategory,
} from '../../shared/incident.ts';
import type { Camera } from '../../shared/camera.ts';
import { ALERT_MATCHES, type VideoAlert } from '../../shared/video-alert.ts';
import type { CaseStart, NewCase } from '../cases/case-start.ts';
import type { JobPayload } from './registry.ts';
import type { CommitPlan, EventStore } from '../log/event-store.ts';
import type { StateRepository } from '../log/state.repository.ts';
import { invalid } from '../infra/domain-errors.ts';
import { snapshotPath } from '../integrations/video/snapshot-store.ts';
import type { Locator } from './locator.ts';

/** Reports of one category this close in space and time are the same incident. */
export const MERGE_RADIUS_M = 300;
export const MERGE_WINDOW_MS = 60 * 60 * 1000;
/** A camera alert this close to an open incident of a matching kind corroborates it. */
export const LINK_RADIUS_M = 500;

const MAX_ATTEMPTS = 8;

/**
 * The intake pipeline: enrich (where is it), correlate (is it new), commit (one atomic step).
 * Every commit carries the intake id as idempotency key, so a job that runs twice yields one event.
 */
export class PipelineService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    private readonly locator: Locator,
    private readonly cameras: Map<string, Camera>,
    /** The start of a case: rules version, level, first step and its deadline timers. */
    private readonly cases: CaseStart,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async processIncident(job: JobPayload<'intake.incident'>): Promise<{ id: string; outcome: string }> {
    const { id, input, actor } = job;
    const place = this.locator.locate(input.location);
    const reportedAt = input.reportedAt ?? job.receivedAt;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.clock();
      const target = await this.findMergeTarget(input.category, input.location, Date.parse(reportedAt), id);
      let plan: CommitPlan;
      let outcome: string;
      if (target) {
        const merged: Incident = {
          ...target,
          reportCount: target.reportCount + 1,
          mergedIds: appendRecent(target.mergedIds, id),
          severity: Math.min(target.severity, input.severity ?? target.severity) as Incident['severity'],
          updatedAt: now.toISOString(),
          lastAction: {
            at: now.toISOString(),
            action: 'merged',
            actor,
            note: `${id} · ${input.source}: ${input.title}`,
            ref: id,
          },
          version: target.version + 1,
        };
        plan = {
          idempotencyKey: `intake:${id}`,
          result: target.id,
          expect: [
            { hash: 'incidents', id: target.id, version: target.version },
            // Not a report taken before (its idempotency key may have expired since): one merged
            // already, or one whose case was archived.
            { hash: 'aliases', id, version: null },
            { hash: 'tombstones', id, version: null },
          ],
          put: [
            { hash: 'incidents', id: target.id, value: merged },
            { hash: 'aliases', id, value: target.id },
          ],
          events: [{ type: 'incident.updated', actor, data: merged }],
        };
        outcome = 'merged';
      } else {
        const draft: NewCase = {
          id,
          source: input.source,
          ...(input.externalId ? { externalId: input.externalId } : {}),
          kind: input.kind,
          category: input.category,
          title: input.title,
          ...(input.description ? { description: input.description } : {}),
          location: input.location,
          ...(input.address ? { address: input.address } : {}),
          locationLabel: place.label,
          streetId: place.streetId,
          communityId: place.communityId,
          outsideDistrict: place.outsideDistrict,
          severity: input.severity ?? DEFAULT_SEVERITY[input.category],
          status: 'accepted',
          reportedAt,
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
          reportCount: 1,
          mergedIds: [],
          videoAlertIds: [],
          operationIds: [],
          lastAction: { at: now.toISOString(), action: 'accepted', actor },
          version: 1,
        };
        const { incident, expect: rulesInForce } = await this.cases.start(draft, now);
        // Before the commit: a case committed without its timers would never fall due.
        await this.cases.schedule(incident);
        plan = {
          idempotencyKey: `intake:${id}`,
          result: id,
          expect: [
            { hash: 'incidents', id, version: null },
            // A report merged before, or an archived incident (or merged report of one), keeps
            // its id for good.
            { hash: 'aliases', id, version: null },
            { hash: 'tombstones', id, version: null },
            rulesInForce,
          ],
          put: [{ hash: 'incidents', id, value: incident }],
          geoAdd: [{ id, ...input.location }],
          events: [{ type: 'incident.created', actor, data: incident }],
        };
        outcome = 'created';
      }
      const res = await this.store.commit(plan, now);
      if (res.status === 'ok') return { id, outcome };
      if (res.status === 'duplicate') return { id, outcome: 'duplicate' };
      // An incident with this very id exists: an earlier run committed it (idempotent retry).
      if (!target && res.hash.endsWith(':incidents') && res.id === id) return { id, outcome: 'duplicate' };
      // This report was taken before (merged, or its case archived since): the same id, nothing new.
      if (res.hash.endsWith(':incident-aliases') || res.hash.endsWith(':archived-ids'))
        return { id, outcome: 'duplicate' };
      // Otherwise the merge target changed under us: read again and retry.
    }
    throw new Error(`incident ${id}: too many concurrent changes`);
  }

  private async findMergeTarget(
    category: IncidentCategory,
    at: { lng: number; lat: number },
    reportedAtMs: number,
    selfId: string,
  ): Promise<Incident | null> {
    const near = await this.state.openIncidentsNear(at.lng, at.lat, MERGE_RADIUS_M);
    for (const inc of near) {
      if (inc.id === selfId || inc.category !== category || caseEnded(inc.status)) continue;
      if (Math.abs(Date.parse(inc.reportedAt) - reportedAtMs) > MERGE_WINDOW_MS) continue;
      return inc;
    }
    return null;
  }

  async processVideoAlert(job: JobPayload<'intake.video_alert'>): Promise<{ id: string; outcome: string }> {
    const { id, input, actor } = job;
    const camera = this.cameras.get(input.cameraId);
    // Cameras come from the deployment's data: a retry cannot make one appear.
    if (!camera) throw invalid('cameraId', `unknown camera "${input.cameraId}"`);
    const place = this.locator.locate(camera.location);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.clock();
      const matches = ALERT_MATCHES[input.type];
      const near = await this.state.openIncidentsNear(
        camera.location.lng,
        camera.location.lat,
        LINK_RADIUS_M,
      );
      const target = near.find((i) => matches.includes(i.category) && !caseEnded(i.status)) ?? null;
      const alert: VideoAlert = {
        id,
        cameraId: camera.id,
        cameraName: camera.name,
        type: input.type,
        confidence: input.confidence,
        location: camera.location,
        locationLabel: place.label,
        streetId: place.streetId,
        communityId: place.communityId,
        observedAt: input.observedAt ?? job.receivedAt,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...(input.snapshotUrl
          ? { snapshotUrl: input.snapshotUrl }
          : job.snapshot
            ? { snapshotUrl: snapshotPath(job.snapshot.sha256) }
            : {}),
        ...(input.externalId ? { externalId: input.externalId } : {}),
        status: 'new',
        incidentId: target?.id ?? null,
        version: 1,
      };
      const plan: CommitPlan = {
        idempotencyKey: `intake:${id}`,
        result: id,
        expect: [
          { hash: 'videoAlerts', id, version: null },
          { hash: 'tombstones', id, version: null },
        ],
        put: [{ hash: 'videoAlerts', id, value: alert }],
        events: [{ type: 'video_alert.created', actor, data: alert }],
      };
      if (target) {
        const linked: Incident = {
          ...target,
          videoAlertIds: appendRecent(target.videoAlertIds, id),
          updatedAt: now.toISOString(),
          lastAction: {
            at: now.toISOString(),
            action: 'video_alert_linked',
            actor,
            note: `${camera.name} · ${input.type} · ${Math.round(distanceM(camera.location, target.location))} m`,
            ref: id,
          },
          version: target.version + 1,
        };
        plan.expect!.push({ hash: 'incidents', id: target.id, version: target.version });
        plan.put!.push({ hash: 'incidents', id: target.id, value: linked });
        plan.events.push({ type: 'incident.updated', actor, data: linked });
      }
      const res = await this.store.commit(plan, now);
      if (res.status === 'ok') return { id, outcome: target ? 'linked' : 'created' };
      if (res.status === 'duplicate') return { id, outcome: 'duplicate' };
      if (res.hash.endsWith(':video-alerts') || res.hash.endsWith(':archived-ids'))
        return { id, outcome: 'duplicate' };
    }
    throw new Error(`video alert ${id}: too many concurrent changes`);
  }
}
