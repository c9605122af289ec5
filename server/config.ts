import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().optional(),
  DEMO_PASSWORD: z.string().optional(),
  INTAKE_KEYS: z.string().optional(),
  NODE_ENV: z.string().default('development'),
  MAP_STYLE_URL: z.string().optional(),
  /** Events kept in the log; a console resuming from before that is told to resync. */
  EVENT_RETENTION: z.coerce.number().int().min(100).default(1_000_000),
  /** Pipeline jobs in flight inside the server process (0: only `npm run worker`). Jobs mostly wait on
   * Redis fsyncs, and Redis fsyncs once for all writes of an event-loop turn, so many in flight is what
   * makes throughput. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).default(64),
  /** Pipeline worker processes `npm start` runs beside the server; 0 runs the worker inside it. */
  WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  /** Intake answers 503 once this many jobs are waiting. */
  QUEUE_HIGH_WATER: z.coerce.number().int().min(1).default(50_000),
  /** Intake requests per second allowed for one key or user. */
  INTAKE_RATE: z.coerce.number().int().min(1).default(2_000),
  LOG_LEVEL: z.string().default('info'),
  /** Live-feed frame interval under load (a quiet feed sends at once). */
  FRAME_MS: z.coerce.number().int().min(5).max(1000).default(100),
  /** Unsent bytes one console may have queued before it is dropped and told to resync. */
  MAX_CLIENT_BUFFER_MB: z.coerce.number().min(0.1).default(8),
});

export const DEFAULT_DEMO_PASSWORD = 'pingzhan';
export const DEFAULT_INTAKE_KEY = 'demo-intake-key';

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  redisUrl?: string;
  production: boolean;
  /** Demo accounts exist only when this is set. */
  demoPassword: string | null;
  intakeKeys: string[];
  mapStyleUrl: string | null;
  eventRetention: number;
  workerConcurrency: number;
  workers: number;
  queueHighWater: number;
  intakeRate: number;
  logLevel: string;
  /** Key prefix; tests give each run its own. Always one hash tag so every key shares a cluster slot. */
  prefix: string;
  /** Live-feed frame interval. */
  frameMs: number;
  /** Bytes a slow console may have queued before it is told to resync. */
  maxClientBuffer: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = Env.parse(env);
  const production = e.NODE_ENV === 'production';
  // Demo mode is the default "when nothing is configured"; production must configure both.
  const demoPassword = e.DEMO_PASSWORD ?? (production ? null : DEFAULT_DEMO_PASSWORD);
  const intakeKeys = (e.INTAKE_KEYS ?? (production ? '' : DEFAULT_INTAKE_KEY))
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    production,
    demoPassword,
    intakeKeys,
    mapStyleUrl: e.MAP_STYLE_URL ?? null,
    eventRetention: e.EVENT_RETENTION,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workers: e.WORKERS,
    queueHighWater: e.QUEUE_HIGH_WATER,
    intakeRate: e.INTAKE_RATE,
    logLevel: e.LOG_LEVEL,
    prefix: '{pz}',
    frameMs: e.FRAME_MS,
    maxClientBuffer: Math.round(e.MAX_CLIENT_BUFFER_MB * 1024 * 1024),
  };
}

/** Production refuses demo credentials: a real centre must set its own. */
export function assertProductionSafe(c: Config): void {
  if (!c.production) return;
  const problems: string[] = [];
  if (c.demoPassword !== null)
    problems.push('DEMO_PASSWORD is set: demo accounts are not allowed in production');
  if (c.intakeKeys.includes(DEFAULT_INTAKE_KEY)) problems.push('INTAKE_KEYS contains the default demo key');
  if (c.intakeKeys.length === 0) problems.push('INTAKE_KEYS is empty: integrations could not post');
  if (problems.length) throw new Error(`refusing to start in production:\n - ${problems.join('\n - ')}`);
}
