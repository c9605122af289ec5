import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type pg from 'pg';
import type { LiveEvent } from '../../shared/protocol.ts';
import { migrate, newClient, type HistoryDb } from './db.ts';
import { applyToReadModels } from './read-models.ts';
import { writeWarningMessages, type RawMessages } from './warnings.read-model.ts';
import { pgJson, pgText } from './pg-text.ts';
import { publishProjectedSeq, trimProjected } from './trim.ts';
import { countError } from '../infra/metrics.ts';

/** Both halves of the advisory lock key: one projector per projection name in a database. */
const LOCK_CLASS = 0x707a; // "pz"

export type ProjectorOptions = {
  db: HistoryDb;
  /** For the lock connection: the same database the pool reaches. */
  url: string;
  /** A connection of the projector's own: it blocks on XREAD. */
  redis: Redis;
  /** Any other connection, for the head seq (lag). */
  redisHead: Redis;
  streamKey: string;
  seqKey: string;
  /** When set, the projected seq is also kept there (monotonic) for commit.lua to trim by. */
  projectedKey?: string;
  /**
   * When set, the projector trims the stream after each batch: only what the database holds,
   * keeping the newest `retention` for consoles to resume from (commit.lua then trims nothing).
   */
  retention?: number;
  /**
   * The raw CAP messages (Redis `warningRaw`), copied into `warning_messages` in the batch that
   * projects the events which took them. Unset: the messages are not copied.
   */
  warningRaws?: RawMessages;
  /** Bring the schema up to date first, retrying like any other database error. */
  migrate?: boolean;
  name?: string;
  batch?: number;
  /** How often a waiting projector tries the lock (and refreshes `projectedSeq`). */
  lockPollMs?: number;
  /**
   * With events to write and no batch committed for this long, `healthy` is false: a database
   * that hangs (stopped, a partition) raises no error, it just never answers.
   */
  stallMs?: number;
  log?: (msg: string) => void;
};

export type ProjectorStatus = {
  /** Whether this process holds the lock and projects. */
  active: boolean;
  healthy: boolean;
  projectedSeq: number;
  headSeq: number;
  lag: number;
  lastError: string | null;
  /** Seq ranges the stream no longer held when the projector got there (should stay empty). */
  missing: { from: number; to: number }[];
};

/**
 * Tails the Redis Stream into PostgreSQL. Exactly one projector runs at a time: it holds a session
 * advisory lock on a connection of its own; the others wait and take over when that session ends
 * (the process died, or its connection was cut). It is also idempotent by seq, for the moment a
 * lock is lost while a batch is in flight: each batch goes into `events` with `on conflict do
 * nothing`, only the events that were new reach the read models, and the cursor only moves
 * forward, all in one transaction. So a crash at any point neither loses nor doubles an event.
 *
 * It is a reader of its own and never sits on the commit path: a slow or absent database delays
 * only the projection (the lag grows), never intake or the live feed.
 */
export class Projector {
  private running = false;
  private loopDone: Promise<void> | null = null;
  private lockClient: pg.Client | null = null;
  private lockLost = false;
  private wake: (() => void) | null = null;
  private cursor = 0;
  private active = false;
  private healthy = false;
  private lastError: string | null = null;
  /** When the projector last was level with the stream or committed a batch. */
  private lastProgressAt = Date.now();
  private readonly missing: { from: number; to: number }[] = [];
  private readonly name: string;
  private readonly batch: number;
  private readonly lockPollMs: number;
  private readonly stallMs: number;

  constructor(private readonly o: ProjectorOptions) {
    this.name = o.name ?? 'main';
    this.batch = o.batch ?? 500;
    this.lockPollMs = o.lockPollMs ?? 500;
    this.stallMs = o.stallMs ?? 10_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.run();
  }

  /** The highest seq known to be in the database; the log may be trimmed below it, never above. */
  projectedSeq(): number {
    return this.cursor;
  }

  async status(): Promise<ProjectorStatus> {
    let headSeq = this.cursor;
    try {
      headSeq = Number((await this.o.redisHead.get(this.o.seqKey)) ?? 0);
    } catch {
      // Redis down: the lag is unknown; report what we have
    }
    const lag = Math.max(0, headSeq - this.cursor);
    // Only the projector that holds the lock is expected to move; a waiting one reports the
    // database's cursor (refreshed at each lock attempt) and is judged by its errors alone.
    const stalled = this.active && lag > 0 && Date.now() - this.lastProgressAt > this.stallMs;
    return {
      active: this.active,
      healthy: this.healthy && !stalled,
      projectedSeq: this.cursor,
      headSeq,
      lag,
      lastError: this.lastError,
      missing: [...this.missing],
    };
  }

  private async run(): Promise<void> {
    let backoff = 100;
    let migrated = !this.o.migrate;
    while (this.running) {
      try {
        if (!migrated) {
          await migrate(this.o.db);
          migrated = true;
        }
        if (!(await this.acquire())) {
          await this.pause(this.lockPollMs);
          continue;
        }
        this.active = true;
        this.lastProgressAt = Date.now();
        this.o.log?.(`projector ${this.name}: projecting from seq ${this.cursor + 1}`);
        while (this.running && !this.lockLost) {
          const events = await this.read();
          if (events.length === 0) {
            this.lastProgressAt = Date.now(); // level with the stream
            continue;
          }
          await this.project(events);
          this.lastProgressAt = Date.now();
          this.healthy = true;
          this.lastError = null;
          backoff = 100;
        }
      } catch (err) {
        if (!this.running) break;
        this.healthy = false;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.o.log?.(`projector ${this.name}: ${this.lastError}; retrying in ${backoff} ms`);
        await this.pause(backoff);
        backoff = Math.min(5000, backoff * 2);
      }
      // A lost lock (or a failed connection) means starting over: wait for the lock again.
      if (this.lockLost || !this.lockClient) await this.releaseLock();
    }
    this.active = false;
    await this.releaseLock();
  }

  /** Tries the lock once; either way takes the cursor from the database. */
  private async acquire(): Promise<boolean> {
    if (!this.lockClient) {
      const c = newClient(this.o.url);
      this.lockLost = false;
      // (only while it is the current one: an old client ending late must not flag a new one)
      c.on('error', () => {
        countError('postgres');
        if (this.lockClient === c) this.lockLost = true;
      });
      c.on('end', () => {
        if (this.lockClient !== c) return;
        this.lockLost = true;
        this.wake?.();
      });
      await c.connect().catch(async (err) => {
        await c.end().catch(() => undefined);
        throw err;
      });
      this.lockClient = c;
    }
    const got = await this.lockClient.query<{ ok: boolean }>(
      'select pg_try_advisory_lock($1, hashtext($2)) as ok',
      [LOCK_CLASS, this.name],
    );
    const row = await this.o.db
      .selectFrom('projection')
      .select('seq')
      .where('name', '=', this.name)
      .executeTakeFirst();
    // The database's word, even when lower than ours (say it was restored from a backup): the
    // projector then re-reads from there, and nothing is trimmed that the database lacks.
    this.cursor = row?.seq ?? 0;
    this.healthy = true;
    return got.rows[0].ok;
  }

  private async releaseLock(): Promise<void> {
    const c = this.lockClient;
    this.lockClient = null;
    this.active = false;
    // Ending the session releases the advisory lock.
    if (c) await c.end().catch(() => undefined);
  }

  /** The next events after the cursor; blocks up to a second when there are none. */
  private async read(): Promise<LiveEvent[]> {
    const res = (await this.o.redis.xread(
      'COUNT',
      this.batch,
      'BLOCK',
      1000,
      'STREAMS',
      this.o.streamKey,
      `${this.cursor}-0`,
    )) as [string, [string, string[]][]][] | null;
    if (!res || res[0][1].length === 0) return [];
    return res[0][1].map(([, f]) => JSON.parse(f[f.indexOf('e') + 1]) as LiveEvent);
  }

  private async project(events: LiveEvent[]): Promise<void> {
    if (events[0].seq > this.cursor + 1) await this.checkGap(this.cursor + 1, events[0].seq - 1);
    const last = events[events.length - 1].seq;
    const projected = await this.o.db.transaction().execute(async (trx) => {
      // The cursor first: its row lock is what a rebuild waits on (and the order of the writes
      // does not matter inside one transaction).
      const row = await trx
        .insertInto('projection')
        .values({ name: this.name, seq: last })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ seq: sql<number>`greatest(projection.seq, excluded.seq)` }),
        )
        .returning('seq')
        .executeTakeFirstOrThrow();
      const inserted = await trx
        .insertInto('events')
        .values(
          events.map((e) => ({
            seq: e.seq,
            type: e.type,
            at: e.at,
            actor: pgText(e.actor ?? null),
            data: pgJson(e.data),
          })),
        )
        .onConflict((oc) => oc.column('seq').doNothing())
        .returning('seq')
        .execute();
      const fresh = new Set(inserted.map((r) => r.seq));
      const applied = events.filter((e) => fresh.has(e.seq));
      await applyToReadModels(trx, applied);
      if (this.o.warningRaws) await writeWarningMessages(trx, applied, this.o.warningRaws);
      return row.seq;
    });
    const cursor = Math.max(this.cursor, projected);
    // Best effort, both: a miss only delays trimming until the next batch. The cursor moves
    // after the trim, so whoever sees `projectedSeq()` reach a seq sees the stream trimmed for it.
    if (this.o.projectedKey)
      await publishProjectedSeq(this.o.redisHead, this.o.projectedKey, cursor).catch(() => undefined);
    if (this.o.retention !== undefined)
      await trimProjected(this.o.redisHead, this.o.streamKey, cursor, this.o.retention).catch(
        () => undefined,
      );
    this.cursor = cursor;
  }

  /**
   * The stream starts after our cursor: trimmed before it was projected (retention not yet tied
   * to projection), unless another projector wrote those events. Say so loudly, and go on so
   * that what is left is kept.
   */
  private async checkGap(from: number, to: number): Promise<void> {
    const row = await this.o.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('seq', '>=', from)
      .where('seq', '<=', to)
      .executeTakeFirstOrThrow();
    if (Number(row.n) === to - from + 1) return;
    this.missing.push({ from, to });
    this.o.log?.(`projector ${this.name}: the stream no longer holds seq ${from}..${to}; they are lost`);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Stops projecting and releases the lock (another process takes over). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    // Unblocks a pending XREAD; the caller owns and closes `redis` after this.
    this.o.redis.disconnect();
    await this.loopDone?.catch(() => undefined);
  }
}
