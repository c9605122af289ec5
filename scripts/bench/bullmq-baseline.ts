/**
 * Baseline: plain BullMQ on the same kind of Redis the product runs (its own redis-server,
 * appendfsync always): Queue.add → no-op Worker → 'completed', with the product's concurrency and
 * job options. A child process driven over IPC by run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { RedisSupervisor } from '../../server/infra/redis-supervisor.ts';
import { redisOptions } from '../../server/infra/redis.ts';
import { Histogram, nowMs } from './histogram.ts';
import { paced } from './pacer.ts';

type Cmd =
  { cmd: 'start'; concurrency: number } | { cmd: 'run'; rate: number; seconds: number } | { cmd: 'stop' };

const dir = mkdtempSync(path.join(tmpdir(), 'pz-bench-bull-'));
const redis = new RedisSupervisor({ dataDir: dir, fsync: 'always' });
let queue: Queue;
let worker: Worker;
let latency = new Histogram();
let completed = 0;
let n = 0;

async function start(concurrency: number): Promise<void> {
  await redis.start();
  const conn = (extra: object) => redisOptions(redis.url, extra) as ConnectionOptions;
  queue = new Queue('baseline', { connection: conn({ maxRetriesPerRequest: 2 }) });
  worker = new Worker('baseline', async () => undefined, {
    connection: conn({ maxRetriesPerRequest: null }),
    concurrency,
  });
  worker.on('completed', (job) => {
    completed++;
    latency.record(nowMs() - (job.data as { t: number }).t);
  });
  await worker.waitUntilReady();
}

async function run(rate: number, seconds: number) {
  latency = new Histogram();
  completed = 0;
  const began = performance.now();
  const added = await paced(rate, seconds, () =>
    queue.add(
      'noop',
      { t: nowMs() },
      { jobId: `b${n++}`, removeOnComplete: { age: 600, count: 5000 }, attempts: 8 },
    ),
  );
  // Let the worker finish what was added, within bounds.
  const until = performance.now() + 30_000;
  while (completed < added && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  return { added, completed, seconds: (performance.now() - began) / 1000, latency: latency.toJSON() };
}

process.on('message', async (msg: Cmd) => {
  if (msg.cmd === 'start') {
    await start(msg.concurrency);
    process.send!({ cmd: 'started', redisPid: null });
  } else if (msg.cmd === 'run') {
    process.send!({ cmd: 'ran', ...(await run(msg.rate, msg.seconds)) });
  } else if (msg.cmd === 'stop') {
    await worker.close();
    await queue.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    process.send!({ cmd: 'stopped' });
    process.exit(0);
  }
});
// A vanished parent must not leave a redis-server behind.
process.on('disconnect', () => void redis.stop().finally(() => process.exit(0)));
