import type { Redis } from 'ioredis';
import type { FootageRequest } from '../../shared/footage.ts';
import type { HistoryDb } from '../history/db.ts';
import type { Keys } from '../infra/keys.ts';

/**
 * Reads of footage requests; every write goes through the commit. Open requests (requested,
 * approved) are in Redis (`footageRequests`); every request, finished ones included, is in the
 * record (`footage_requests`, projected from the log).
 */
export class FootageRepository {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
    private readonly db: HistoryDb,
  ) {}

  async open(id: string): Promise<FootageRequest | null> {
    const v = await this.redis.hget(this.k.footageRequests, id);
    return v === null ? null : (JSON.parse(v) as FootageRequest);
  }

  async recorded(id: string): Promise<FootageRequest | null> {
    const row = await this.db
      .selectFrom('footage_requests')
      .select('data')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (row.data as FootageRequest) : null;
  }

  /** The requests made in [from, to), newest first. */
  async recordedBetween(from: string, to: string): Promise<FootageRequest[]> {
    const rows = await this.db
      .selectFrom('footage_requests')
      .select('data')
      .where('requested_at', '>=', from)
      .where('requested_at', '<', to)
      .orderBy('requested_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => r.data as FootageRequest);
  }
}
