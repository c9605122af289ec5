/**
 * The answers of the HTTP API that are not entities themselves: wrappers, acknowledgements, the
 * console's configuration and the operational read-outs. The server serializes through them
 * (nothing beyond them reaches a client) and the console decodes with them.
 */
import { z } from 'zod';
import { Id, IsoTime } from './common.ts';
import { User } from './identity.ts';
import { LiveEvent } from './protocol.ts';

/** `GET /api/v1/config`: what the console needs before it logs in. */
export const AppConfig = z.object({
  /** A configured MapLibre style, or null for the built-in offline one. */
  mapStyleUrl: z.string().nullable(),
  /**
   * The district's PMTiles basemap (MAP_PMTILES), same-origin, or null: the console then draws its
   * built-in style. Older servers do not send it.
   */
  basemapUrl: z.string().nullable().default(null),
  /** Demo accounts are on (the login page lists them). */
  demo: z.boolean(),
  /** PROTOCOL_VERSION the server speaks; a console speaking another stops and asks for a reload. */
  protocol: z.number().int(),
});
export type AppConfig = z.infer<typeof AppConfig>;

/** `POST /api/v1/auth/login`, `GET /api/v1/auth/me`. */
export const UserAnswer = z.object({ user: User });
export type UserAnswer = z.infer<typeof UserAnswer>;

/** `POST /api/v1/auth/logout`. */
export const LoggedOut = z.object({ ok: z.literal(true) });

/** A command that created something answers with its id (`201`). */
export const Created = z.object({ id: Id });
export type Created = z.infer<typeof Created>;

/** Intake: `202`, durably queued; the pipeline creates (or merges) the item. */
export const Queued = z.object({ id: Id, status: z.literal('queued') });
export type Queued = z.infer<typeof Queued>;

/** `GET /api/v1/events/recent`: the latest events up to `upTo`, newest first. */
export const RecentEvents = z.object({ events: z.array(LiveEvent) });

/** The projection into the database, as `/healthz` and `/api/v1/status` report it. */
export const HistoryHealth = z.object({
  healthy: z.boolean(),
  lag: z.number().int().min(0),
  projectedSeq: z.number().int().min(0),
});

/** `GET /healthz`: `200` when the server and its Redis answer. */
export const Health = z.object({ status: z.literal('ok'), history: HistoryHealth.nullable() });
/** `GET /healthz` when Redis does not answer (`503`). */
export const Unhealthy = z.object({ status: z.literal('unavailable'), message: z.string() });

const Count = z.number().int().min(0);

/** `GET /api/v1/status`: how this server process is doing (figures for operators and benchmarks). */
export const Status = z.object({
  headSeq: Count,
  /** The oldest event the stream still holds (headSeq + 1 when it holds none). */
  oldestSeq: Count,
  /** This process's live feed; null in a process that serves none. */
  feed: z
    .object({
      clients: Count,
      servedSeq: Count,
      frames: Count,
      dropped: Count,
      resyncs: Count,
      /** Broadcast frames, their bytes before and after deflate, and the sockets of each kind. */
      wire: z.object({
        frames: Count,
        bytes: Count,
        deflatedBytes: Count,
        deflateSockets: Count,
        plainSockets: Count,
        maxFrameBytes: Count,
      }),
    })
    .nullable(),
  /** BullMQ job counts by state. */
  pipeline: z.record(z.string(), z.number()),
  /** What Redis holds: the working set (the archive sweep keeps it so) and the tombstones. */
  hotSet: z.object({
    incidents: Count,
    videoAlerts: Count,
    operations: Count,
    dispatches: Count,
    reports: Count,
    aliases: Count,
    tombstones: Count,
  }),
  /** Jobs that will not run again: `GET /api/v1/failed-jobs`. */
  failedJobs: Count,
  /** Redis/BullMQ connection errors seen by this process, by connection. */
  redisErrors: z.object({
    total: Count,
    byConnection: z.record(z.string(), z.number()),
    last: z.object({ connection: z.string(), message: z.string(), at: IsoTime }).nullable(),
  }),
  eventLoopDelayMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  rssMb: z.number(),
  /** `alarm` once `lag` reaches `lagAlarm` (HISTORY_LAG_ALARM); null without a projector. */
  history: HistoryHealth.extend({
    active: z.boolean(),
    headSeq: Count,
    lastError: z.string().nullable(),
    missing: z.array(z.object({ from: z.number().int(), to: z.number().int() })),
    lagAlarm: z.number(),
    alarm: z.boolean(),
  }).nullable(),
});
export type Status = z.infer<typeof Status>;

/** `GET /api/v1/failed-jobs`: jobs the pipeline gave up on, newest first. */
export const FailedJobs = z.object({
  jobs: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      reason: z.string(),
      failedAt: IsoTime.nullable(),
      attempts: Count,
      /** What the sender posted, as it was: data to show as text, never markup. */
      payload: z.unknown(),
    }),
  ),
});
