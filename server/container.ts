import type { Redis } from 'ioredis';
import type { Camera } from '../shared/camera.ts';
import type { GridCollection } from '../shared/grid.ts';
import type { Plan } from '../shared/plan.ts';
import type { Config } from './config.ts';
import { CaseActionsService } from './cases/case-actions.service.ts';
import { CaseRulesRepository } from './cases/case-rules.repository.ts';
import { CaseRulesService } from './cases/case-rules.service.ts';
import { CaseStart } from './cases/case-start.ts';
import { CaseTimers } from './cases/case-timers.ts';
import { KpiRepository } from './cases/kpi.repository.ts';
import { KpiService } from './cases/kpi.service.ts';
import { departments } from './data/departments.ts';
import { loadDemoData } from './data/demo-data.ts';
import { GridIndex } from './geo/grid-index.ts';
import { migrate, openHistory, type History } from './history/db.ts';
import { HistoryRepository } from './history/history.repository.ts';
import { ReplayRepository } from './history/replay.repository.ts';
import { ReplayService } from './history/replay.service.ts';
import { Projector } from './history/projector.ts';
import { PostgresSupervisor } from './infra/postgres-supervisor.ts';
import { keys, type Keys } from './infra/keys.ts';
import { countError } from './infra/metrics.ts';
import { PipelineQueue } from './pipeline/queue.ts';
import { RevocationBus } from './identity/revocations.ts';
import { assertNoEviction, connect } from './infra/redis.ts';
import { knownBindings } from './identity/binding.ts';
import { JobRegistry } from './pipeline/registry.ts';
import { EventStore } from './log/event-store.ts';
import { IdentityRepository } from './identity/identity.repository.ts';
import { StateRepository } from './log/state.repository.ts';
import { ArchivedRecords, ArchiveService } from './history/archive.service.ts';
import { actorOf, AuthService } from './identity/auth.service.ts';
import { CaseSearchService } from './cases/case-search.service.ts';
import { IntakeService } from './intake/intake.service.ts';
import { DispatchService } from './commands/dispatch.service.ts';
import { OperationService } from './commands/operation.service.ts';
import { PipelineService } from './pipeline/pipeline.service.ts';
import { RateLimiter } from './intake/rate-limiter.ts';
import { RecordService } from './history/record.service.ts';
import { ReportService } from './commands/report.service.ts';
import { AcknowledgeService } from './commands/acknowledge.service.ts';
import { ReviewService } from './pipeline/review.service.ts';
import { seedIfEmpty } from './data/seed.service.ts';
import { SnapshotHosts } from './intake/snapshot-hosts.ts';
import { SnapshotService } from './live/snapshot.service.ts';
import { HealthService } from './infra/health.service.ts';
import { StatusService } from './infra/status.service.ts';
import { KpiReportService } from './cases/kpi-report.service.ts';
import { KpiReportRepository } from './history/kpi-report.repository.ts';
import { Open311Repository } from './integrations/open311/open311.repository.ts';
import { Open311Service } from './integrations/open311/open311.service.ts';
import { WarningRepository } from './warnings/warning.repository.ts';
import { WarningService } from './warnings/warning.service.ts';
import { FootageRepository } from './footage/footage.repository.ts';
import { FootageService } from './footage/footage.service.ts';
import { BasemapService } from './basemap/basemap.service.ts';
import { CameraHeardRepository } from './cameras/camera-heard.repository.ts';
import { CameraService } from './cameras/camera.service.ts';
import { DEMO_CAMERA_LINKS } from './cameras/demo-links.ts';
import { SnapshotStore } from './integrations/video/snapshot-store.ts';
import { VideoDebounceRepository } from './integrations/video/video-debounce.repository.ts';
import { VideoIngestService } from './integrations/video/video-ingest.service.ts';

/** Everything the routes, the worker and the live feed need, wired once. */
export type Container = {
  config: Config;
  redisUrl: string;
  redis: Redis;
  keys: Keys;
  store: EventStore;
  state: StateRepository;
  auth: AuthService;
  /** Ended sessions, announced to every process (the live gateway cuts their sockets). */
  revocations: RevocationBus;
  queue: PipelineQueue;
  intake: IntakeService;
  pipeline: PipelineService;
  operations: OperationService;
  dispatches: DispatchService;
  reports: ReportService;
  acknowledgements: AcknowledgeService;
  review: ReviewService;
  records: RecordService;
  /** Every case ever, from the database of record (`GET /api/v1/cases`). */
  caseSearch: CaseSearchService;
  /** The state at a past moment and the events after it (`GET /api/v1/replay`). */
  replay: ReplayService;
  /** What a console loads before following the feed: snapshot, recent events, static data. */
  snapshot: SnapshotService;
  /** `/healthz`: Redis answers, and how far the record is behind. */
  health: HealthService;
  /** `GET /api/v1/status`'s figures for the log, pipeline, hot set and projection. */
  status: StatusService;
  /** The case rules (versions, routing, limits, calendar) and the case lifecycle with its timers. */
  caseRules: CaseRulesService;
  caseActions: CaseActionsService;
  caseStart: CaseStart;
  /** Moves finished items from Redis to the database of record (the `archive.sweep` job). */
  archive: ArchiveService;
  registry: JobRegistry;
  grids: GridCollection;
  cameras: Camera[];
  plans: Plan[];
  /** The database of record (PostgreSQL): every event ever, and read models of all cases. */
  history: History;
  /** Tails the stream into `history`; null in worker processes (only servers project). */
  projector: Projector | null;
  historyRepo: HistoryRepository;
  /** KPI reports (报表): made by the job schedulers or on demand, read from `kpi_reports`. */
  kpiReports: KpiReportService;
  /** The peacetime figures (`GET /api/v1/kpis`), from the history database. */
  kpis: KpiService;
  /** Open311 GeoReport v2 (`/open311/v2/`): requests through `intake`, read from the record. */
  open311: Open311Service;
  /** Early warnings (预警, CAP 1.2): intake, the pipeline job, the expiry timers, CAP out. */
  warnings: WarningService;
  /** Footage retrieval for the police (调取录像): requests, decisions, completions, totals. */
  footage: FootageService;
  /** The district's PMTiles basemap file (MAP_PMTILES), if any, read by byte ranges. */
  basemap: BasemapService;
  /** Cameras as hot state: links, online/offline (`camera.updated`), the silence sweep. */
  cameraState: CameraService;
  /** Hikvision, ONVIF and Frigate events into the intake (the routes, and MQTT when wired). */
  video: VideoIngestService;
  /** Alarm images the cameras sent, under DATA_DIR. */
  videoSnapshots: SnapshotStore;
  close(): Promise<void>;
};

export type ContainerOptions = {
  /** The database; default DATABASE_URL, else the embedded PostgreSQL under DATA_DIR. */
  databaseUrl?: string;
  /**
   * Run the projector (Redis Stream → database) in this process. Servers do; pipeline workers
   * (`server/worker-main.ts`) do not: one projector per database is all that is needed (the
   * others would only wait on its advisory lock), and a worker must not hold a connection for it.
   */
  projector?: boolean;
  log?: (msg: string) => void;
};

/**
 * DATABASE_URL, else the URL of DATA_DIR's embedded PostgreSQL (what `startPingzhan` starts). If
 * that was never initialised there is no password yet: the URL then fails on use, not here, so a
 * container still starts (a worker reads no history).
 */
export function databaseUrlFor(config: Config): string {
  if (config.databaseUrl) return config.databaseUrl;
  const sup = new PostgresSupervisor({ dataDir: config.dataDir });
  return sup.existingUrl() ?? sup.url;
}

export async function createContainer(
  config: Config,
  redisUrl: string,
  opts: ContainerOptions = {},
): Promise<Container> {
  // First, before any connection: a wrong basemap file refuses the start with nothing to undo.
  const basemap = new BasemapService(config.basemapPath);
  // Many jobs and requests talk to Redis at once: commands issued in one tick go out in one write.
  const redis = connect(redisUrl, 'state', {
    enableAutoPipelining: true,
    commandTimeout: config.redisTimeoutMs,
  });
  try {
    await assertNoEviction(redis);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const k = keys(config.prefix);
  const store = new EventStore(redis, k);
  const state = new StateRepository(redis, k, { archiveAfterMs: config.archiveAfterMs });
  const revocations = new RevocationBus(redis, () => connect(redisUrl, 'revocations'), k.revocations);
  const data = await loadDemoData();
  const auth = new AuthService(
    new IdentityRepository(redis, k),
    config.intakeKeys,
    revocations,
    undefined,
    knownBindings(data.grids),
  );
  const grid = new GridIndex(data.grids);
  const cameraMap = new Map(data.cameras.map((c) => [c.id, c]));
  const queue = new PipelineQueue(redisUrl, k.bullPrefix, { timeoutMs: config.redisTimeoutMs });
  const limiter = new RateLimiter(config.intakeRate, config.intakeRate * 2);
  const intake = new IntakeService(
    queue,
    new Set(cameraMap.keys()),
    limiter,
    config.queueHighWater,
    new SnapshotHosts(config.snapshotHosts),
  );
  const databaseUrl = opts.databaseUrl ?? databaseUrlFor(config);
  // Database errors are the projector's to report (status, lag); an idle client dying must not
  // crash the process, and is worth a line only in the log.
  const history = openHistory(databaseUrl, {
    onError: (err) => {
      countError('postgres');
      opts.log?.(`history: ${err.message}`);
    },
  });
  const historyRepo = new HistoryRepository(history.db);
  const archived = new ArchivedRecords(historyRepo, history.db);
  const caseRules = new CaseRulesService(
    store,
    new CaseRulesRepository(redis, k),
    departments(data.grids),
    data.grids.features.filter((f) => f.properties.level === 'street').map((f) => f.properties.id),
  );
  const caseActions = new CaseActionsService(store, state, archived, caseRules, new CaseTimers(queue));
  const caseStart = new CaseStart(caseRules, caseActions);
  const pipeline = new PipelineService(store, state, grid, cameraMap, caseStart);
  const operations = new OperationService(store, state, data.plans, queue, archived);
  const archive = new ArchiveService(store, state, history.db, config.archiveAfterMs);
  let projector: Projector | null = null;
  const footage = new FootageService(
    store,
    new FootageRepository(redis, k, history.db),
    (id) => cameraMap.has(id),
    opts.projector ? () => projector?.projectedSeq() ?? 0 : null,
  );
  const kpis = new KpiService(
    new KpiRepository(history.db),
    data.grids,
    departments(data.grids),
    // The score's weights are those of the case rules in force.
    async () => (await caseRules.current()).weights,
  );
  const kpiReports = new KpiReportService(
    store,
    kpis,
    new KpiReportRepository(history.db),
    opts.projector ? () => projector?.projectedSeq() ?? 0 : null,
    undefined,
    footage,
  );
  const warningRepo = new WarningRepository(redis, k);
  const warnings = new WarningService(store, warningRepo, queue, {
    defaultExpiryMs: config.warningDefaultExpiryMs,
    capSender: config.capSender,
    admit: (actor) => intake.admit(actor),
  });
  const cameraState = new CameraService(
    store,
    state,
    new CameraHeardRepository(redis, k),
    data.cameras,
    config.cameraSilenceMs,
  );
  const videoSnapshots = new SnapshotStore(config.dataDir);
  const video = new VideoIngestService(
    cameraState,
    intake,
    new VideoDebounceRepository(redis, k),
    videoSnapshots,
  );
  const registry = JobRegistry.create({
    'warning.cap': (p) => warnings.apply(p),
    'warning.expire': (p) => warnings.expire(p),
    'intake.incident': (p) => pipeline.processIncident(p),
    'intake.video_alert': (p) => pipeline.processVideoAlert(p),
    'task.due': (p) => operations.taskDue(p),
    'archive.sweep': () => archive.sweep(),
    'kpi_report.scheduled': (p) => kpiReports.scheduled(p.kind, p.scheduledAt),
    'case.due_soon': (p) => caseActions.deadline('due_soon', p),
    'case.overdue': (p) => caseActions.deadline('overdue', p),
    'camera.silence_sweep': () => cameraState.sweepSilence(),
  });

  // Before this process commits anything: versions of older data move to where the commit reads them.
  await store.migrateVersions();
  await store.migrateFinished();
  await seedIfEmpty(store, state, data.resources);
  await caseRules.seed();
  // Cameras not yet in the state (a first start, or new in the register); demo links in demo mode.
  await cameraState.seed(config.demoPassword !== null ? DEMO_CAMERA_LINKS : new Map());
  if (config.demoPassword !== null) await auth.ensureDemoUsers(config.demoPassword);
  else await auth.removeDemoUsers();

  if (opts.projector) {
    // The schema before the first read; should the database not answer yet, the projector keeps
    // trying (migrate: true) and intake goes on meanwhile: the stream keeps what is not projected.
    let migrated = true;
    try {
      await migrate(history.db);
    } catch (err) {
      migrated = false;
      opts.log?.(
        `history: database not ready (${(err as Error).message}); intake goes on, projection will catch up`,
      );
    }
    projector = new Projector({
      db: history.db,
      url: databaseUrl,
      // Its own connection, without the request timeout: it blocks on XREAD.
      redis: connect(redisUrl, 'projector'),
      redisHead: redis,
      streamKey: k.events,
      seqKey: k.seq,
      projectedKey: k.projected,
      // The only trimming of the stream: below what the database holds, keeping the newest
      // EVENT_RETENTION for consoles to resume from. A database outage grows the stream instead
      // (bounded by Redis' maxmemory under noeviction: intake then answers 503, nothing is lost).
      retention: config.eventRetention,
      migrate: !migrated,
      stallMs: config.historyStallMs,
      warningRaws: (ids) => warningRepo.raws(ids),
      log: opts.log,
    });
    projector.start();
  }

  const records = new RecordService(
    store,
    state,
    historyRepo,
    () => projector?.projectedSeq() ?? 0,
    undefined,
    async () => new Map((await auth.people()).map((p) => [p.username, p.displayName])),
  );
  const departmentNames = new Map(departments(data.grids).map((d) => [d.id, d.name]));
  const open311 = new Open311Service(
    intake,
    records,
    new Open311Repository(history.db),
    (key) => {
      const caller = auth.keyCaller(key);
      return caller ? actorOf(caller) : null;
    },
    (id) => departmentNames.get(id),
  );
  return {
    config,
    redisUrl,
    redis,
    keys: k,
    store,
    state,
    auth,
    revocations,
    queue,
    intake,
    pipeline,
    operations,
    dispatches: new DispatchService(store, state, archived),
    reports: new ReportService(store, state, archived),
    acknowledgements: new AcknowledgeService(store, state, archived),
    review: new ReviewService(store, state, grid, archived, caseStart),
    records,
    caseSearch: new CaseSearchService(historyRepo),
    replay: new ReplayService(new ReplayRepository(history.db), state, data.plans),
    snapshot: new SnapshotService(state, store, records, {
      mapStyleUrl: config.mapStyleUrl,
      basemapUrl: basemap.url(),
      demo: config.demoPassword !== null,
      grids: data.grids,
      cameras: data.cameras,
      plans: data.plans,
    }),
    health: new HealthService(redis, projector, config.redisTimeoutMs),
    status: new StatusService(store, state, queue, projector, config.historyLagAlarm),
    caseRules,
    caseActions,
    caseStart,
    archive,
    registry,
    grids: data.grids,
    cameras: data.cameras,
    plans: data.plans,
    history,
    projector,
    historyRepo,
    kpiReports,
    kpis,
    open311,
    warnings,
    footage,
    basemap,
    cameraState,
    video,
    videoSnapshots,
    async close() {
      // The projector first: it commits its batch in flight, then lets go of its lock.
      await projector?.stop();
      await history.close();
      await queue.close();
      await revocations.close();
      redis.disconnect();
    },
  };
}
