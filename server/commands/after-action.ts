import type {
  AfterActionRecord,
  AfterActionResource,
  AfterActionTask,
  TaskOutcome,
  TimelineEntry,
} from '../../shared/after-action.ts';
import type { Incident } from '../../shared/incident.ts';
import type { Operation, OperationTask } from '../../shared/operation.ts';
import type { LiveEvent } from '../../shared/protocol.ts';
import type { Resource } from '../../shared/resource.ts';

/**
 * Picks, from the log read forward from before an operation's activation, the events that belong
 * to it: the operation itself, its tasks, its incident and the reports and alerts on it, its
 * dispatches, its resources while they were assigned to it, and the mode while it held the
 * district in wartime. It stops after `operation.stood_down`, which is the last event of the
 * stand-down commit.
 */
export class OperationEventFilter {
  private started = false;
  private ended = false;
  private incidentId = '';
  private readonly assigned = new Set<string>();
  private modeHeld = false;

  constructor(private readonly operationId: string) {}

  get done(): boolean {
    return this.ended;
  }

  accept(ev: LiveEvent): boolean {
    if (this.ended) return false;
    const opId = this.operationId;
    if (!this.started) {
      if (ev.type !== 'operation.activated' || ev.data.id !== opId) return false;
      this.started = true;
      this.incidentId = ev.data.incidentId;
      return true;
    }
    switch (ev.type) {
      case 'operation.activated':
      case 'operation.updated':
        return ev.data.id === opId;
      case 'operation.stood_down':
        if (ev.data.id !== opId) return false;
        this.ended = true;
        return true;
      case 'task.updated':
        return ev.data.operationId === opId;
      case 'incident.created':
      case 'incident.updated':
      case 'case.due_soon':
      case 'case.overdue':
        return ev.data.id === this.incidentId;
      case 'case_rules.changed':
      case 'kpi_report.created':
      case 'warning.issued':
      case 'warning.updated':
      case 'warning.cancelled':
      case 'warning.expired':
      case 'camera.updated':
      case 'footage_request.created':
      case 'footage_request.updated':
        return false;
      case 'report.created':
        return ev.data.incidentId === this.incidentId;
      case 'video_alert.created':
      case 'video_alert.updated':
        return ev.data.incidentId === this.incidentId;
      case 'dispatch.created':
        if (ev.data.operationId !== opId) return false;
        this.assigned.add(ev.data.resourceId);
        return true;
      case 'resource.updated': {
        const mine = ev.data.operationId === opId;
        const was = this.assigned.has(ev.data.id);
        if (mine) this.assigned.add(ev.data.id);
        else this.assigned.delete(ev.data.id);
        return mine || was;
      }
      case 'mode.changed': {
        const holds = ev.data.operationIds.includes(opId);
        const include = holds || this.modeHeld;
        this.modeHeld = holds;
        return include;
      }
      case 'incident.archived':
      case 'video_alert.archived':
      case 'operation.archived':
        // Archiving comes long after a stand-down and changes nothing the record shows.
        return false;
    }
  }
}

/** Incident history actions: lifecycle steps and what the pipeline and commands record. */
const HISTORY_ACTION_ZH: Record<string, string> = {
  accepted: '受理',
  verified: '核实',
  dispatched: '派遣',
  handled: '处置',
  inspected: '核查',
  closed: '结案',
  merged: '合并重复报告',
  field_report: '现场报告',
  operation_activated: '启动预案',
  operation_stood_down: '响应结束',
  video_alert_confirmed: '视频告警确认',
  video_alert_linked: '关联视频告警',
};

const TASK_STATUS_ZH: Record<string, string> = {
  pending: '待办',
  in_progress: '进行中',
  done: '已完成',
  blocked: '受阻',
};
const RESOURCE_STATUS_ZH: Record<string, string> = {
  available: '待命',
  dispatched: '已调派',
  en_route: '途中',
  on_scene: '到场',
  returning: '返回',
  out_of_service: '停用',
};

/** One readable line per event for the console and the printed record. */
export function summarize(ev: LiveEvent): string {
  switch (ev.type) {
    case 'operation.activated':
      return `启动预案「${ev.data.planName}」：${ev.data.name}`;
    case 'operation.updated':
      return `行动更新：${ev.data.name}`;
    case 'operation.stood_down':
      return `行动结束：${ev.data.name}${ev.data.summary ? ` · ${ev.data.summary}` : ''}`;
    case 'task.updated':
      return `任务「${ev.data.title}」→ ${TASK_STATUS_ZH[ev.data.status] ?? ev.data.status}${ev.data.overdue ? '（超时）' : ''}${ev.data.note ? ` · ${ev.data.note}` : ''}`;
    case 'resource.updated':
      return `${ev.data.name} → ${RESOURCE_STATUS_ZH[ev.data.status] ?? ev.data.status}`;
    case 'dispatch.created':
      return `调派 ${ev.data.resourceId}：距离 ${Math.round(ev.data.distanceM)} 米，预计 ${ev.data.etaMin} 分钟`;
    case 'report.created':
      return `现场报告：${ev.data.text}`;
    case 'incident.created':
      return `事件：${ev.data.title}`;
    case 'incident.updated': {
      const last = ev.data.lastAction;
      return `事件更新：${ev.data.title}${last ? ` · ${HISTORY_ACTION_ZH[last.action] ?? last.action}${last.note ? ` ${last.note}` : ''}` : ''}`;
    }
    case 'mode.changed':
      return `${ev.data.state === 'wartime' ? '转入战时' : '恢复平时'}${ev.data.reason ? `：${ev.data.reason}` : ''}`;
    case 'video_alert.created':
    case 'video_alert.updated':
      return `视频告警 ${ev.data.cameraName} · ${ev.data.type} · ${ev.data.status}`;
    case 'incident.archived':
      return `事件归档：${ev.data.id}`;
    case 'video_alert.archived':
      return `视频告警归档：${ev.data.id}`;
    case 'operation.archived':
      return `行动归档：${ev.data.id}`;
    case 'case.due_soon':
      return `案卷即将超时：${ev.data.title}`;
    case 'case.overdue':
      return `案卷超时：${ev.data.title}`;
    case 'case_rules.changed':
      return `案卷规则更新：第 ${ev.data.version} 版${ev.data.note ? ` · ${ev.data.note}` : ''}`;
    case 'kpi_report.created':
      return `考核报表：${ev.data.kind} ${ev.data.from} – ${ev.data.to}`;
    case 'warning.issued':
      return `预警发布：${ev.data.headline}`;
    case 'warning.updated':
      return `预警更新：${ev.data.headline}`;
    case 'warning.cancelled':
      return `预警解除：${ev.data.headline}`;
    case 'warning.expired':
      return `预警到期：${ev.data.headline}`;
    case 'camera.updated':
      return `摄像头 ${ev.data.name}：${ev.data.status === 'online' ? '在线' : ev.data.status === 'offline' ? '离线' : '未知'}`;
    case 'footage_request.created':
      return `调取录像申请：${ev.data.requester} · ${ev.data.caseRef}`;
    case 'footage_request.updated':
      return `调取录像 ${ev.data.caseRef} → ${ev.data.status}`;
  }
}

const minutesBetween = (a: string, b: string) =>
  Math.round(((Date.parse(b) - Date.parse(a)) / 60_000) * 10) / 10;

export function taskOutcome(t: Pick<OperationTask, 'status' | 'doneAt' | 'dueAt'>): TaskOutcome {
  if (t.status !== 'done' || !t.doneAt) return 'not_done';
  return Date.parse(t.doneAt) <= Date.parse(t.dueAt) ? 'on_time' : 'late';
}

/**
 * Computes the record from the operation's timeline alone (as picked by OperationEventFilter):
 * the tasks as their last event left them, each dispatch from its event to the resource's first
 * release, the duration from activation to stand-down.
 */
export function computeAfterAction(events: LiveEvent[], now = new Date()): AfterActionRecord {
  const first = events[0];
  const last = events.at(-1);
  if (first?.type !== 'operation.activated') throw new Error('timeline must start with operation.activated');
  if (last?.type !== 'operation.stood_down') throw new Error('timeline must end with operation.stood_down');
  const op: Operation = last.data;
  const tasks = new Map<string, OperationTask>(first.data.tasks.map((t) => [t.id, t]));
  let incident: Incident | null = null;
  const names = new Map<string, Pick<Resource, 'name' | 'type'>>();
  const open = new Map<string, { dispatchId: string; dispatchedAt: string }>();
  const used: AfterActionResource[] = [];
  let reportCount = 0;

  const release = (resourceId: string, at: string, as: string) => {
    const o = open.get(resourceId);
    if (!o) return;
    open.delete(resourceId);
    const n = names.get(resourceId);
    used.push({
      resourceId,
      name: n?.name ?? resourceId,
      type: n?.type ?? 'rescue_team',
      dispatchId: o.dispatchId,
      dispatchedAt: o.dispatchedAt,
      releasedAt: at,
      releasedAs: as,
      durationMin: minutesBetween(o.dispatchedAt, at),
    });
  };

  for (const ev of events) {
    switch (ev.type) {
      case 'task.updated': {
        const { operationId: _o, ...task } = ev.data;
        tasks.set(task.id, task);
        break;
      }
      case 'incident.created':
      case 'incident.updated':
        incident = ev.data;
        break;
      case 'report.created':
        reportCount++;
        break;
      case 'dispatch.created':
        release(ev.data.resourceId, ev.at, 'redispatched');
        open.set(ev.data.resourceId, { dispatchId: ev.data.id, dispatchedAt: ev.at });
        break;
      case 'resource.updated': {
        const r = ev.data;
        names.set(r.id, { name: r.name, type: r.type });
        const leaves =
          r.operationId !== op.id || ['returning', 'available', 'out_of_service'].includes(r.status);
        if (leaves) release(r.id, ev.at, r.status);
        break;
      }
      default:
        break;
    }
  }
  for (const id of [...open.keys()]) release(id, last.at, 'stand_down');

  const items: AfterActionTask[] = [...tasks.values()]
    .sort((a, b) => a.order - b.order)
    .map((t) => ({
      id: t.id,
      title: t.title,
      titleEn: t.titleEn,
      unit: t.unit,
      dueAt: t.dueAt,
      status: t.status,
      doneAt: t.doneAt,
      overdue: t.overdue,
      outcome: taskOutcome(t),
    }));
  const count = (o: TaskOutcome) => items.filter((t) => t.outcome === o).length;
  const timeline: TimelineEntry[] = events.map((ev) => ({
    seq: ev.seq,
    type: ev.type,
    at: ev.at,
    ...(ev.actor ? { actor: ev.actor } : {}),
    summary: summarize(ev),
    data: ev.data as unknown as Record<string, unknown>,
  }));
  return {
    operationId: op.id,
    name: op.name,
    planId: op.planId,
    planName: op.planName,
    planNameEn: op.planNameEn,
    level: op.level,
    incident: {
      id: op.incidentId,
      title: incident?.title ?? op.incidentId,
      category: incident?.category ?? 'other',
      locationLabel: incident?.locationLabel ?? '',
    },
    activatedAt: first.at,
    activatedBy: first.actor ?? op.activatedBy,
    stoodDownAt: last.at,
    stoodDownBy: last.actor ?? op.stoodDownBy ?? '',
    ...(op.summary ? { summary: op.summary } : {}),
    durationMin: minutesBetween(first.at, last.at),
    tasks: {
      total: items.length,
      onTime: count('on_time'),
      late: count('late'),
      notDone: count('not_done'),
      items,
    },
    resources: {
      count: new Set(used.map((u) => u.resourceId)).size,
      totalMin: Math.round(used.reduce((s, u) => s + u.durationMin, 0) * 10) / 10,
      items: used,
    },
    reportCount,
    timeline,
    generatedAt: now.toISOString(),
  };
}

/**
 * The record with people shown by name: each actor that `names` knows (username or integration
 * name → display name) gets its name beside it. Applied on every read, after the cache: a record
 * never changes, but a display name may.
 */
export function withActorNames(r: AfterActionRecord, names: ReadonlyMap<string, string>): AfterActionRecord {
  const name = (a: string | undefined) => (a === undefined ? undefined : names.get(a));
  const activatedByName = name(r.activatedBy);
  const stoodDownByName = name(r.stoodDownBy);
  return {
    ...r,
    ...(activatedByName !== undefined && { activatedByName }),
    ...(stoodDownByName !== undefined && { stoodDownByName }),
    timeline: r.timeline.map((t) => {
      const actorName = name(t.actor);
      return actorName === undefined ? t : { ...t, actorName };
    }),
  };
}
