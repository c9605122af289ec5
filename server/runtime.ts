import { mkdirSync } from 'node:fs';
import type { Worker } from 'bullmq';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { build } from './app.ts';
import type { Config } from './config.ts';
import { createContainer, type Container } from './container.ts';
import { DataDirLock } from './infra/data-dir-lock.ts';
import { withRedaction } from './infra/logging.ts';
import { PostgresSupervisor } from './infra/postgres-supervisor.ts';
import { startPipelineWorker } from './pipeline/queue.ts';
import { RedisSupervisor } from './infra/redis-supervisor.ts';
import { trackRequestIds } from './infra/request-id.ts';
import { WorkerProcesses } from './infra/worker-processes.ts';
import { LagAlarm } from './history/lag-alarm.ts';
import { scheduleArchiveSweep, startArchiveWorker } from './history/archive-schedule.ts';
import { scheduleCameraSilenceSweep } from './cameras/camera-silence-schedule.ts';
import { attachLive, type Live } from './live/live.ts';
import { scheduleKpiReports, startKpiReportWorker } from './cases/kpi-report-schedule.ts';
import { integrationSender } from './identity/auth.service.ts';
import { mqttFromConfig } from './integrations/mqtt/mqtt-subscriber.ts';

/**
 * Who Frigate's MQTT messages come from: the same name as a Frigate integration key would carry
 * (`INTAKE_KEYS=frigate:…`), so the audit trail says `frigate` whichever way an event came.
 */
export const MQTT_FRIGATE_SENDER = 'frigate';

export type Running = {
  url: string;
  app: FastifyInstance;
  container: Container;
  live: Live;
  worker: Worker | null;
  workerProcesses: WorkerProcesses | null;
  redis: RedisSupervisor | null;
  /** Our own PostgreSQL under DATA_DIR (null with DATABASE_URL). Print its `displayUrl`, never `url`. */
  postgres: PostgresSupervisor | null;
  close(): Promise<void>;
};

export type StartOptions = {
  logger?: FastifyServerOptions['logger'];
  clientDist?: string;
  /** Tests may relax fsync; the product never does. */
  redisFsync?: 'always' | 'everysec' | 'no';
  log?: (msg: string) => void;
  /**
   * Run the pipeline in `config.workers` processes of its own (the product's entry point does);
   * otherwise, and when `config.workers` is 0, it runs inside this process (tests).
   */
  workerProcesses?: boolean;
  /** Tests may run their own PostgreSQL without fsync; the product's always syncs. */
  postgresDurable?: boolean;
  /**
   * Make the latest due daily/weekly/monthly report at start (the product does, default true).
   * Tests that check "nothing was written" turn it off: those reports are commits of their own.
   */
  reportCatchUp?: boolean;
};

/**
 * Starts one Pingzhan server process: Redis and PostgreSQL (unless given), HTTP API, live feed,
 * worker, projector.
 */
export async function startPingzhan(config: Config, opts: StartOptions = {}): Promise<Running> {
  let supervisor: RedisSupervisor | null = null;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    // It takes the DATA_DIR lock before touching anything in the directory.
    supervisor = new RedisSupervisor({ dataDir: config.dataDir, log: opts.log, fsync: opts.redisFsync });
    await supervisor.start();
    redisUrl = supervisor.url;
  }
  let lock: DataDirLock | null = null;
  let postgres: PostgresSupervisor | null = null;
  let databaseUrl = config.databaseUrl;
  let container: Container | null = null;
  try {
    if (!databaseUrl) {
      // With a Redis of its own elsewhere, the database is still ours under DATA_DIR: the lock,
      // so that two servers never share it.
      if (!supervisor) {
        mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
        lock = DataDirLock.acquire(config.dataDir);
      }
      postgres = new PostgresSupervisor({
        dataDir: config.dataDir,
        log: opts.log,
        durable: opts.postgresDurable ?? true,
      });
      await postgres.start();
      databaseUrl = postgres.url;
    }
    container = await createContainer(config, redisUrl, {
      databaseUrl,
      projector: true,
      log: opts.log,
    });
    const c = container;
    // Finished items leave Redis on a schedule; whichever archive worker is free runs the sweep.
    await scheduleArchiveSweep(redisUrl, c.keys.bullPrefix, config.archiveEveryMs);
    // Cameras silent past CAMERA_SILENCE_S go offline: a sweep on the same queue, one for the deployment.
    await scheduleCameraSilenceSweep(redisUrl, c.keys.bullPrefix, config.cameraSilenceMs);
    // The KPI reports' schedules (08:00 daily, Mondays, the 1st), once however many servers start.
    await scheduleKpiReports(redisUrl, c.keys.bullPrefix, Date.now(), {
      catchUp: opts.reportCatchUp ?? true,
    });
    let attached: Live | null = null;
    const app = await build(c, {
      logger: withRedaction(opts.logger),
      clientDist: opts.clientDist,
      live: () => attached,
    });
    trackRequestIds(app);
    const live = await attachLive(app, c);
    attached = live;
    // Open sockets would keep the HTTP server from closing.
    app.addHook('preClose', async () => live.close());
    const separate = opts.workerProcesses === true && config.workers > 0 && config.workerConcurrency > 0;
    const worker =
      config.workerConcurrency > 0 && !separate
        ? startPipelineWorker(redisUrl, c.keys.bullPrefix, c.registry, config.workerConcurrency, {
            log: app.log,
          })
        : null;
    const archiveWorker = startArchiveWorker(redisUrl, c.keys.bullPrefix, c.registry, (err) =>
      app.log.warn({ err: err.message }, 'archive sweep failed'),
    );
    const reportWorker = startKpiReportWorker(redisUrl, c.keys.bullPrefix, c.registry, (err) =>
      app.log.warn({ err: err.message }, 'kpi report failed'),
    );
    const lagAlarm = c.projector
      ? new LagAlarm(c.projector, config.historyLagAlarm, {
          warn: (m) => app.log.warn(m),
          info: (m) => app.log.info(m),
        })
      : null;
    lagAlarm?.start();
    // Frigate over MQTT (MQTT_URL): each message into the same ingest as its HTTP route. A message
    // the ingest refuses (bad JSON, an unlinked camera) is logged by the subscriber.
    const mqttSub = mqttFromConfig(
      config,
      async (topic, payload) => {
        await c.video.frigate(payload, integrationSender(MQTT_FRIGATE_SENDER), topic);
      },
      app.log,
    );
    const address = await app.listen({ port: config.port, host: config.host });
    supervisor?.announce(address.replace('[::1]', 'localhost'));
    const workerProcesses = separate
      ? new WorkerProcesses(config.workers, { REDIS_URL: redisUrl, DATABASE_URL: databaseUrl }, (m) =>
          app.log.warn(m),
        )
      : null;
    workerProcesses?.start();
    let closing: Promise<void> | null = null;
    return {
      url: address.replace('[::1]', 'localhost'),
      app,
      container: c,
      live,
      worker,
      workerProcesses,
      redis: supervisor,
      postgres,
      close() {
        // In-flight requests finish, then jobs in progress, then the projector's last batch,
        // then PostgreSQL, then Redis.
        closing ??= (async () => {
          lagAlarm?.stop();
          // No new messages in while the rest drains; the one in hand finishes first.
          await mqttSub?.close();
          await app.close();
          await worker?.close();
          await archiveWorker.close();
          await reportWorker.close();
          await workerProcesses?.stop();
          await c.close();
          await postgres?.stop();
          lock?.release();
          await supervisor?.stop();
        })();
        return closing;
      },
    };
  } catch (err) {
    await container?.close().catch(() => undefined);
    await postgres?.stop().catch(() => undefined);
    lock?.release();
    await supervisor?.stop();
    throw err;
  }
}
