import type { Worker } from 'bullmq';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { build } from './app.ts';
import type { Config } from './config.ts';
import { createContainer, type Container } from './container.ts';
import { startPipelineWorker } from './infra/queue.ts';
import { RedisSupervisor } from './infra/redis-supervisor.ts';
import { WorkerProcesses } from './infra/worker-processes.ts';
import { attachLive, type Live } from './live.ts';

export type Running = {
  url: string;
  app: FastifyInstance;
  container: Container;
  live: Live;
  worker: Worker | null;
  workerProcesses: WorkerProcesses | null;
  redis: RedisSupervisor | null;
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
};

/** Starts one Pingzhan server process: Redis (unless given), HTTP API, live feed, worker. */
export async function startPingzhan(config: Config, opts: StartOptions = {}): Promise<Running> {
  let supervisor: RedisSupervisor | null = null;
  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    supervisor = new RedisSupervisor({ dataDir: config.dataDir, log: opts.log, fsync: opts.redisFsync });
    await supervisor.start();
    redisUrl = supervisor.url;
  }
  let container: Container | null = null;
  try {
    container = await createContainer(config, redisUrl);
    const c = container;
    let attached: Live | null = null;
    const app = await build(c, { logger: opts.logger, clientDist: opts.clientDist, live: () => attached });
    const live = await attachLive(app, c);
    attached = live;
    // Open sockets would keep the HTTP server from closing.
    app.addHook('preClose', async () => live.close());
    const separate = opts.workerProcesses === true && config.workers > 0 && config.workerConcurrency > 0;
    const worker =
      config.workerConcurrency > 0 && !separate
        ? startPipelineWorker(
            redisUrl,
            c.keys.bullPrefix,
            c.registry,
            config.workerConcurrency,
            (name, err) => app.log.warn({ err: err.message, job: name }, 'job failed'),
          )
        : null;
    const address = await app.listen({ port: config.port, host: config.host });
    supervisor?.announce(address.replace('[::1]', 'localhost'));
    const workerProcesses = separate
      ? new WorkerProcesses(config.workers, { REDIS_URL: redisUrl }, (m) => app.log.warn(m))
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
      close() {
        // In-flight requests finish, then jobs in progress, then Redis stops.
        closing ??= (async () => {
          await app.close();
          await worker?.close();
          await workerProcesses?.stop();
          await c.close();
          await supervisor?.stop();
        })();
        return closing;
      },
    };
  } catch (err) {
    await container?.close().catch(() => undefined);
    await supervisor?.stop();
    throw err;
  }
}
