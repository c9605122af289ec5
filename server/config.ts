import path from 'node:path';
import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z.string().optional(),
  /** The system of record (`postgres://…`); unset: the server runs its own PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  DEMO_PASSWORD: z.string().optional(),
  INTAKE_KEYS: z.string().optional(),
  NODE_ENV: z.string().default('development'),
  MAP_STYLE_URL: z.string().optional(),
  /** A district basemap, one PMTiles v3 file served at /basemap/district.pmtiles (docs/basemap.md). */
  MAP_PMTILES: z.string().optional(),
  /**
   * Events kept in the Redis Stream once they are in the database: how far back a console may resume
   * over the socket (one from before that is told to resync). It bounds nothing else: the audit
   * trail, incidents and after-action records are read from the database. 100,000 events are
   * ~75 MB of Redis: weeks of ordinary traffic, a couple of minutes of a storm's; a console away
   * longer reloads the snapshot, which holds only the working set.
   */
  EVENT_RETENTION: z.coerce.number().int().min(100).default(100_000),
  /**
   * Events not yet in the database that raise the history alarm (status `alarm`, a warning in
   * the log once per episode, an indicator on the wall). Until projected, an event stays in the
   * Redis Stream: at ~1–6 kB an event, 50,000 is ~50–300 MB of Redis memory. Past that it keeps
   * growing; what bounds it is Redis' `maxmemory` under `noeviction` (set one on a Redis of your
   * own): once reached, Redis refuses writes, intake answers 503 and nothing accepted is lost.
   */
  HISTORY_LAG_ALARM: z.coerce.number().int().min(1).default(50_000),
  /** A projector with events to write and no batch done for this long reports itself unhealthy. */
  HISTORY_STALL_MS: z.coerce.number().int().min(100).default(10_000),
  /** Pipeline jobs in flight inside the server process (0: only `npm run worker`). Jobs mostly wait on
   * Redis fsyncs, and Redis fsyncs once for all writes of an event-loop turn, so many in flight is what
   * makes throughput. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).default(64),
  /** Pipeline worker processes `npm start` runs beside the server; 0 runs the worker inside it. */
  WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  /**
   * A pipeline worker serves `GET /metrics` on this port (127.0.0.1; `npm start`'s workers on this
   * port + their slot: 0, 1, …); unset: workers serve nothing.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** Intake answers 503 once this many jobs are waiting. */
  QUEUE_HIGH_WATER: z.coerce.number().int().min(1).default(50_000),
  /** Intake requests per second allowed for one key or user. */
  INTAKE_RATE: z.coerce.number().int().min(1).default(2_000),
  LOG_LEVEL: z.string().default('info'),
  /** Live-feed frame interval under load (a quiet feed sends at once). */
  FRAME_MS: z.coerce.number().int().min(5).max(1000).default(100),
  /** Unsent bytes one console may have queued before it is dropped and told to resync. */
  MAX_CLIENT_BUFFER_MB: z.coerce.number().min(0.1).default(8),
  /** Behind a reverse proxy: `true`, a hop count, or the proxies' addresses/CIDRs (comma-separated). */
  TRUST_PROXY: z.string().optional(),
  /** Origins besides the server's own that may open the live socket (comma-separated). */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Hosts a video alert's `snapshotUrl` may point at (comma-separated; `*.example.cn` for subdomains). */
  SNAPSHOT_HOSTS: z.string().optional(),
  /**
   * How long a closed case, a finished alert or a stood-down operation stays in Redis (the live
   * working set) before it is archived: it leaves by an `*.archived` event, once the history
   * database holds it, and is read from there for good. 0 archives as soon as it is projected.
   */
  ARCHIVE_AFTER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 3600 * 1000),
  /** A CAP warning without `expires` ends this long after it came (CAP allows none). */
  WARNING_DEFAULT_EXPIRY_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(24 * 3600_000),
  /** The CAP `sender` of what we publish (`GET /api/v1/incidents/:id/cap.xml`). */
  CAP_SENDER: z.string().min(1).default('pingzhan@localhost'),
  /** How often the archive sweep runs (a BullMQ job scheduler). */
  ARCHIVE_EVERY_MS: z.coerce.number().int().min(100).default(60_000),
  /** A camera not heard from (event or heartbeat) for this long is marked offline. */
  CAMERA_SILENCE_S: z.coerce.number().min(1).default(300),
  /** Bearer token for `GET /metrics`; unset: open to whoever reaches the port. */
  METRICS_TOKEN: z.string().optional(),
  /**
   * An MQTT broker to subscribe to for video events (Frigate publishes on one):
   * `mqtt://[user:password@]host:1883`. Unset: no subscription (Frigate can still POST).
   */
  MQTT_URL: z.string().url().optional(),
  /** Topics to subscribe to (comma-separated): Frigate's own by default. */
  MQTT_TOPICS: z.string().default('frigate/events,frigate/reviews'),
  /** The shared-subscription group our servers join, so one of them takes each message. */
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[^/+#]{1,64}$/, 'no "/", "+" or "#", at most 64 characters')
    .default('pingzhan'),
  /** Longest a request waits on Redis before it is answered 503 with Retry-After. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(500),
});

export const DEFAULT_DEMO_PASSWORD = 'pingzhan';
export const DEFAULT_INTAKE_KEY = 'demo-intake-key';
/** The demo key's integration name (what the audit trail shows for what the simulator sends). */
export const DEFAULT_INTAKE_NAME = 'demo';
/** A configured intake key shorter than this is refused: keys are bearer secrets. */
export const MIN_INTAKE_KEY_LENGTH = 24;

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  redisUrl?: string;
  /** Unset: the server's own PostgreSQL under DATA_DIR. */
  databaseUrl?: string;
  production: boolean;
  /** Demo accounts exist only when this is set. */
  demoPassword: string | null;
  /** One per integration: its name is the actor of everything it sends (`integration-N` when unnamed). */
  intakeKeys: IntakeKey[];
  mapStyleUrl: string | null;
  /** MAP_PMTILES as an absolute path; null: no basemap file (checked at start: basemap/pmtiles-header.ts). */
  basemapPath: string | null;
  eventRetention: number;
  historyLagAlarm: number;
  historyStallMs: number;
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
  /** Fastify's `trustProxy`: false unless TRUST_PROXY says which proxies to believe. */
  trustProxy: boolean | number | string[];
  /** Extra origins allowed to open the live socket (the server's own always is). */
  allowedOrigins: string[];
  /** Hosts a `snapshotUrl` may name; empty: snapshot URLs are refused. */
  snapshotHosts: string[];
  redisTimeoutMs: number;
  archiveAfterMs: number;
  warningDefaultExpiryMs: number;
  capSender: string;
  archiveEveryMs: number;
  /** CAMERA_SILENCE_S in ms: silence after which a camera is offline. */
  cameraSilenceMs: number;
  /** `GET /metrics` wants `Authorization: Bearer <this>` when set. */
  metricsToken: string | null;
  /** Where a pipeline worker serves its `/metrics` (plus its slot under `npm start`); null: nowhere. */
  workerMetricsPort: number | null;
  /** Null: no MQTT subscription. */
  mqttUrl: string | null;
  mqttTopics: string[];
  mqttShareGroup: string;
  /** INTAKE_KEYS was set explicitly (not the demo default). */
  intakeKeysConfigured: boolean;
};

export type IntakeKey = { name: string; key: string };

/** An integration's name: short, lowercase, safe in logs, URLs and the audit filter. */
export const INTEGRATION_NAME = /^[a-z0-9_-]{1,32}$/;

/**
 * Names an integration may not take: they would read as an operator or the system in the audit
 * trail (every actor shares one space: usernames, integration names, `system:*`), or as the
 * operators' shared dedup scope. A real account named like an integration is the admin's to avoid.
 */
export const RESERVED_INTEGRATION_NAMES = new Set([
  'duty',
  'commander',
  'liaison',
  'admin',
  'subcentre',
  'department',
  'operator',
  'system',
]);

/**
 * `INTAKE_KEYS=hotline:KEY1,hikvision:KEY2`: each key names its integration. A key with no
 * `name:` (the format before names) is still accepted as `integration-N` (N its place in the
 * list, from 1). A bad name, a name or key given twice → throws naming every problem: the server
 * refuses to start rather than guess which system sent what. Keys never appear in the message.
 */
export function parseIntakeKeys(v: string): IntakeKey[] {
  const problems: string[] = [];
  const out: IntakeKey[] = [];
  list(v).forEach((entry, i) => {
    const at = entry.indexOf(':');
    // No colon: an unnamed key of the old format.
    const name = at < 0 ? `integration-${i + 1}` : entry.slice(0, at).trim();
    const key = at < 0 ? entry : entry.slice(at + 1).trim();
    if (at >= 0 && !INTEGRATION_NAME.test(name))
      problems.push(
        `entry ${i + 1}: integration name ${JSON.stringify(name.slice(0, 40))} is not [a-z0-9_-]{1,32}`,
      );
    else if (at >= 0 && (RESERVED_INTEGRATION_NAMES.has(name) || /^integration-\d+$/.test(name)))
      problems.push(`entry ${i + 1}: integration name "${name}" is reserved`);
    if (!key) problems.push(`entry ${i + 1}: integration "${name}" has no key`);
    out.push({ name, key });
  });
  const seen = (f: (k: IntakeKey) => string, what: string) => {
    const first = new Map<string, number>();
    out.forEach((k, i) => {
      const v = f(k);
      if (!v) return;
      const j = first.get(v);
      if (j === undefined) first.set(v, i);
      else
        problems.push(
          `entry ${i + 1}: ${what} as entry ${j + 1}${what === 'the same key' ? '' : ` ("${v}")`}`,
        );
    });
  };
  seen((k) => k.name, 'the same integration name');
  seen((k) => k.key, 'the same key');
  if (problems.length) throw new Error(`refusing to start: INTAKE_KEYS:\n - ${problems.join('\n - ')}`);
  return out;
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** TRUST_PROXY → Fastify's trustProxy: "true"/"false", a hop count, or addresses/CIDRs. */
export function parseTrustProxy(v: string | undefined): boolean | number | string[] {
  const t = (v ?? '').trim().toLowerCase();
  if (t === '' || t === 'false' || t === '0') return false;
  if (t === 'true') return true;
  if (/^\d+$/.test(t)) return Number(t);
  return list(v);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = Env.parse(env);
  // `Production`, ` PRODUCTION ` … all mean production: demo mode must never run by a typo's grace.
  const production = e.NODE_ENV.trim().toLowerCase() === 'production';
  // Demo mode is the default "when nothing is configured"; production must configure both.
  const demoPassword = e.DEMO_PASSWORD ?? (production ? null : DEFAULT_DEMO_PASSWORD);
  const intakeKeys = parseIntakeKeys(
    e.INTAKE_KEYS ?? (production ? '' : `${DEFAULT_INTAKE_NAME}:${DEFAULT_INTAKE_KEY}`),
  );
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    // An empty DATABASE_URL= (a blanked line in an env file) means unset, not a URL to fail on.
    databaseUrl: e.DATABASE_URL || undefined,
    production,
    demoPassword,
    intakeKeys,
    mapStyleUrl: e.MAP_STYLE_URL ?? null,
    // An empty MAP_PMTILES= (a blanked line in an env file) means none, as with DATABASE_URL.
    basemapPath: e.MAP_PMTILES?.trim() ? path.resolve(e.MAP_PMTILES.trim()) : null,
    eventRetention: e.EVENT_RETENTION,
    historyLagAlarm: e.HISTORY_LAG_ALARM,
    historyStallMs: e.HISTORY_STALL_MS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workers: e.WORKERS,
    queueHighWater: e.QUEUE_HIGH_WATER,
    intakeRate: e.INTAKE_RATE,
    logLevel: e.LOG_LEVEL,
    prefix: '{pz}',
    frameMs: e.FRAME_MS,
    maxClientBuffer: Math.round(e.MAX_CLIENT_BUFFER_MB * 1024 * 1024),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    allowedOrigins: list(e.ALLOWED_ORIGINS),
    snapshotHosts: list(e.SNAPSHOT_HOSTS).map((h) => h.toLowerCase()),
    redisTimeoutMs: e.REDIS_TIMEOUT_MS,
    archiveAfterMs: e.ARCHIVE_AFTER_MS,
    warningDefaultExpiryMs: e.WARNING_DEFAULT_EXPIRY_MS,
    capSender: e.CAP_SENDER,
    archiveEveryMs: e.ARCHIVE_EVERY_MS,
    cameraSilenceMs: Math.round(e.CAMERA_SILENCE_S * 1000),
    metricsToken: e.METRICS_TOKEN || null,
    workerMetricsPort: e.WORKER_METRICS_PORT ?? null,
    intakeKeysConfigured: e.INTAKE_KEYS !== undefined,
    mqttUrl: e.MQTT_URL || null,
    mqttTopics: list(e.MQTT_TOPICS),
    mqttShareGroup: e.MQTT_SHARE_GROUP,
  };
}

/**
 * Configured intake keys must be long enough to be secrets (always); production also refuses demo
 * credentials: a real centre must set its own.
 */
export function assertProductionSafe(c: Config): void {
  // The demo key is short on purpose and known to all; production refuses it below.
  const short = c.intakeKeysConfigured
    ? c.intakeKeys.filter((k) => k.key !== DEFAULT_INTAKE_KEY && k.key.length < MIN_INTAKE_KEY_LENGTH)
    : [];
  if (short.length)
    throw new Error(
      `refusing to start: the key(s) of ${short.map((k) => k.name).join(', ')} in INTAKE_KEYS are shorter than ${MIN_INTAKE_KEY_LENGTH} characters ` +
        '(generate one with: openssl rand -base64 32)',
    );
  if (!c.production) return;
  const problems: string[] = [];
  if (c.demoPassword !== null)
    problems.push('DEMO_PASSWORD is set: demo accounts are not allowed in production');
  if (c.intakeKeys.some((k) => k.key === DEFAULT_INTAKE_KEY))
    problems.push('INTAKE_KEYS contains the default demo key');
  if (c.intakeKeys.length === 0) problems.push('INTAKE_KEYS is empty: integrations could not post');
  if (problems.length) throw new Error(`refusing to start in production:\n - ${problems.join('\n - ')}`);
}
