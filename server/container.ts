import type { Redis } from 'ioredis';
import type { Camera } from '../shared/camera.ts';
import type { GridCollection } from '../shared/grid.ts';
import type { Plan } from '../shared/plan.ts';
import type { Config } from './config.ts';
import { loadDemoData } from './data/demo-data.ts';
import { GridIndex } from './geo/grid-index.ts';
import { keys, type Keys } from './infra/keys.ts';
import { PipelineQueue } from './infra/queue.ts';
import { RevocationBus } from './infra/revocations.ts';
import { assertNoEviction, connect } from './infra/redis.ts';
import { JobRegistry } from './jobs/registry.ts';
import { EventStore } from './repositories/event-store.ts';
import { IdentityRepository } from './repositories/identity.repository.ts';
import { StateRepository } from './repositories/state.repository.ts';
import { AuthService } from './services/auth.service.ts';
import { CaseService } from './services/case.service.ts';
import { IntakeService } from './services/intake.service.ts';
import { DispatchService } from './services/dispatch.service.ts';
import { OperationService } from './services/operation.service.ts';
import { PipelineService } from './services/pipeline.service.ts';
import { RateLimiter } from './services/rate-limiter.ts';
import { RecordService } from './services/record.service.ts';
import { ReportService } from './services/report.service.ts';
import { ReviewService } from './services/review.service.ts';
import { seedIfEmpty } from './services/seed.service.ts';
import { SnapshotHosts } from './services/snapshot-hosts.ts';

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
  review: ReviewService;
  records: RecordService;
  cases: CaseService;
  registry: JobRegistry;
  grids: GridCollection;
  cameras: Camera[];
  plans: Plan[];
  close(): Promise<void>;
};

export async function createContainer(config: Config, redisUrl: string): Promise<Container> {
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
  const store = new EventStore(redis, k, config.eventRetention);
  const state = new StateRepository(redis, k);
  const revocations = new RevocationBus(redis, () => connect(redisUrl, 'revocations'), k.revocations);
  const auth = new AuthService(new IdentityRepository(redis, k), config.intakeKeys, revocations);
  const data = await loadDemoData();
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
  const pipeline = new PipelineService(store, state, grid, cameraMap);
  const operations = new OperationService(store, state, data.plans, queue);
  const registry = JobRegistry.create({
    'intake.incident': (p) => pipeline.processIncident(p),
    'intake.video_alert': (p) => pipeline.processVideoAlert(p),
    'task.due': (p) => operations.taskDue(p),
  });

  // Before this process commits anything: versions of older data move to where the commit reads them.
  await store.migrateVersions();
  await seedIfEmpty(store, state, data.resources);
  if (config.demoPassword !== null) await auth.ensureDemoUsers(config.demoPassword);
  else await auth.removeDemoUsers();

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
    dispatches: new DispatchService(store, state),
    reports: new ReportService(store, state),
    review: new ReviewService(store, state, grid),
    records: new RecordService(store, state),
    cases: new CaseService(store, state),
    registry,
    grids: data.grids,
    cameras: data.cameras,
    plans: data.plans,
    async close() {
      await queue.close();
      await revocations.close();
      redis.disconnect();
    },
  };
}
