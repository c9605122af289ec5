import { DEFAULT_SEVERITY, type Incident, type IncidentCategory } from '../../shared/incident.ts';
import type { PendingEvent } from '../../shared/protocol.ts';
import type { VideoAlert, VideoAlertType } from '../../shared/video-alert.ts';
import type { CaseStart, NewCase } from '../cases/case-start.ts';
import type { CommitPlan, EventStore } from '../repositories/event-store.ts';
import type { StateRepository } from '../repositories/state.repository.ts';
import type { ArchivedRecords } from './archive.service.ts';
import { commitWithRetry } from './commit-retry.ts';
import { conflict, notFound } from './errors.ts';
import { intakeId } from './ids.ts';
import type { Locator } from './locator.ts';

/** What a confirmed camera alert becomes when no incident was open for it. */
export const ALERT_CATEGORY: Record<VideoAlertType, IncidentCategory> = {
  fire: 'fire',
  smoke: 'fire',
  crowd: 'crowd',
  intrusion: 'public_order',
  illegal_dumping: 'environment',
  road_occupation: 'traffic',
  waterlogging: 'flood',
  other: 'other',
};
const ALERT_TITLE: Record<VideoAlertType, string> = {
  fire: '视频发现火情',
  smoke: '视频发现烟雾',
  crowd: '视频发现人员聚集',
  intrusion: '视频发现非法闯入',
  illegal_dumping: '视频发现乱倒垃圾',
  road_occupation: '视频发现占道',
  waterlogging: '视频发现积水',
  other: '视频发现异常',
};

/** The duty officer's review of camera alerts: confirm (maybe opening an incident) or dismiss. */
export class ReviewService {
  constructor(
    private readonly store: EventStore,
    private readonly state: StateRepository,
    private readonly locator: Locator,
    /** Alerts that left Redis: reviewing one answers as on the finished alert (409). */
    private readonly archived: ArchivedRecords,
    /** The start of a case: rules version, level, first step and its deadline timers. */
    private readonly cases: CaseStart,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async review(alertId: string, verdict: 'confirm' | 'dismiss', actor: string): Promise<VideoAlert> {
    const { result } = await commitWithRetry(
      this.store,
      async (now) => {
        const cur = (await this.state.getVideoAlert(alertId)) ?? (await this.archived.videoAlert(alertId));
        if (!cur) throw notFound(`video alert ${alertId}`);
        if (cur.status !== 'new') throw conflict(`video alert ${alertId} was already ${cur.status}`);
        const at = now.toISOString();
        const alert: VideoAlert = {
          ...cur,
          status: verdict === 'confirm' ? 'confirmed' : 'dismissed',
          actor,
          updatedAt: at,
          version: cur.version + 1,
        };
        const plan: CommitPlan = {
          expect: [{ hash: 'videoAlerts', id: cur.id, version: cur.version }],
          put: [],
          events: [],
        };
        const events: PendingEvent[] = [];
        if (verdict === 'confirm' && cur.incidentId === null) {
          // Deterministic id: a retried confirm can never open a second incident.
          const draft = this.incidentFrom(cur, intakeId('INC', 'video-alert', cur.id), actor, at);
          const { incident, expect: rulesInForce } = await this.cases.start(draft, now);
          await this.cases.schedule(incident);
          alert.incidentId = incident.id;
          plan.expect!.push({ hash: 'incidents', id: incident.id, version: null }, rulesInForce);
          plan.put!.push({ hash: 'incidents', id: incident.id, value: incident });
          plan.geoAdd = [{ id: incident.id, ...incident.location }];
          events.push({ type: 'incident.created', actor, data: incident });
        }
        plan.put!.unshift({ hash: 'videoAlerts', id: alert.id, value: alert });
        plan.events = [{ type: 'video_alert.updated', actor, data: alert }, ...events];
        return { plan, result: alert };
      },
      { clock: this.clock },
    );
    return result;
  }

  private incidentFrom(a: VideoAlert, id: string, actor: string, at: string): NewCase {
    const category = ALERT_CATEGORY[a.type];
    return {
      id,
      source: 'video',
      externalId: a.id,
      kind: 'case',
      category,
      title: `${ALERT_TITLE[a.type]} · ${a.cameraName}`,
      location: a.location,
      locationLabel: a.locationLabel,
      streetId: a.streetId,
      communityId: a.communityId,
      outsideDistrict: this.locator.locate(a.location).outsideDistrict,
      severity: DEFAULT_SEVERITY[category],
      status: 'accepted',
      reportedAt: a.observedAt,
      createdAt: at,
      updatedAt: at,
      reportCount: 1,
      mergedIds: [],
      videoAlertIds: [a.id],
      operationIds: [],
      lastAction: {
        at,
        action: 'video_alert_confirmed',
        actor,
        note: `${a.cameraName} · ${a.type}`,
        ref: a.id,
      },
      version: 1,
    };
  }
}
