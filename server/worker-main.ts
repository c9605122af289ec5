import path from 'node:path';
import { loadConfig } from './config.ts';
import { createContainer } from './container.ts';
import { startPipelineWorker } from './infra/queue.ts';

/**
 * An extra pipeline worker process. Without REDIS_URL it joins the Redis that `npm start` runs
 * under DATA_DIR.
 */
const config = loadConfig();
const redisUrl = config.redisUrl ?? `redis+socket://${path.resolve(config.dataDir, 'redis.sock')}`;
const c = await createContainer(config, redisUrl);
const worker = startPipelineWorker(
  redisUrl,
  c.keys.bullPrefix,
  c.registry,
  Math.max(1, config.workerConcurrency),
  (name, err) => console.warn(`job ${name} failed: ${err.message}`),
);
console.log(`pipeline worker running on ${redisUrl} (concurrency ${Math.max(1, config.workerConcurrency)})`);
const stop = async () => {
  await worker.close();
  await c.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
