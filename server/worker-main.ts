import path from 'node:path';
import type { Worker } from 'bullmq';
import pino from 'pino';
import { loadConfig } from './config.ts';
import { createContainer, type Container } from './container.ts';
import { startPipelineWorker } from './pipeline/queue.ts';
import { startArchiveWorker } from './history/archive-schedule.ts';
import { LOG_OPTIONS } from './infra/logging.ts';
import { redactUrl } from './infra/redact.ts';
import { Metrics } from './infra/metrics.ts';
import { serveMetrics, type MetricsServer } from './infra/metrics-server.ts';

/**
 * A pipeline worker process: one of those `npm start` runs beside the server (`WORKERS`), or an
 * extra one (`npm run worker`). Without REDIS_URL it joins the Redis that `npm start` runs under
 * DATA_DIR.
 */
let running: { worker: Worker; archiveWorker: Worker; c: Container; metrics: MetricsServer | null } | null =
  null;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // Jobs in progress finish first, but not for ever (e.g. when Redis went down with the server).
  setTimeout(() => process.exit(1), 15_000).unref();
  if (running) {
    await running.worker.close();
    await running.archiveWorker.close();
    await running.metrics?.close();
    await running.c.close();
  }
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// Started by a server (fork): when the server is gone, so is this worker, even one still starting
// (hence before any await); its jobs go back to the queue through BullMQ's stalled-job check.
if (process.send) {
  process.on('disconnect', () => void stop());
  if (!process.connected) void stop();
}

const config = loadConfig();
const redisUrl = config.redisUrl ?? `redis+socket://${path.resolve(config.dataDir, 'redis.sock')}`;
// No projector here: the server runs the one this database needs. The database is the server's
// (DATABASE_URL, which the server passes to the workers it forks, else DATA_DIR's own).
const c = await createContainer(config, redisUrl, { projector: false });
// JSON lines on stdout like the server's (a forked worker shares the server's stdout): a job's
// line carries the `reqId` of the request that queued it.
const log = pino({ level: config.logLevel, ...LOG_OPTIONS, base: { pid: process.pid, role: 'worker' } });
const worker = startPipelineWorker(
  redisUrl,
  c.keys.bullPrefix,
  c.registry,
  Math.max(1, config.workerConcurrency),
  {
    log,
  },
);
// The archive sweeps too: any worker may take a scheduled one (they are safe side by side).
const archiveWorker = startArchiveWorker(redisUrl, c.keys.bullPrefix, c.registry, (err) =>
  log.warn({ err: err.message }, 'archive sweep failed'),
);
// Its own figures for Prometheus: commit latency, queue depth and age, errors, the process.
let metrics: MetricsServer | null = null;
if (config.workerMetricsPort !== null) {
  const slot = Number(process.env.PZ_WORKER_SLOT ?? 0);
  const m = new Metrics(
    { queueCounts: () => c.queue.counts(), oldestWaitingAt: () => c.queue.oldestWaitingAt() },
    { process_role: 'worker' },
  );
  c.store.hooks.onCommit = (ms, events) => m.commit(ms, events);
  metrics = await serveMetrics(m, { port: config.workerMetricsPort + slot, token: config.metricsToken });
  log.info({ port: metrics.port }, 'worker metrics at /metrics');
}
running = { worker, archiveWorker, c, metrics };
// A child of `npm start` says nothing on its own; the server reports it.
if (!process.env.PZ_WORKER_CHILD)
  console.log(
    `pipeline worker running on ${redactUrl(redisUrl)} (concurrency ${Math.max(1, config.workerConcurrency)})`,
  );
