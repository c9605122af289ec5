import type { Redis } from 'ioredis';
import type { Warning } from '../../shared/warning.ts';
import type { Keys } from '../infra/keys.ts';

/** The alias field of a message: CAP's `(sender, identifier)` (neither may hold a space). */
export const aliasField = (sender: string, identifier: string): string => `${sender} ${identifier}`;

/** What a raw message is stored as (`warningRaw`): its bytes, base64, and the thread it joined. */
export type StoredRaw = { warningId: string; sender: string; identifier: string; raw: string };

/** Reads of the warnings' hot state; every write goes through the commit. */
export class WarningRepository {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  /** The thread id of each `(sender, identifier)`, or null. */
  async threadIds(pairs: readonly { sender: string; identifier: string }[]): Promise<(string | null)[]> {
    if (pairs.length === 0) return [];
    const raw = await this.redis.hmget(
      this.k.warningAliases,
      ...pairs.map((p) => aliasField(p.sender, p.identifier)),
    );
    return raw.map((v) => (v === null ? null : (JSON.parse(v) as string)));
  }

  async get(ids: readonly string[]): Promise<Map<string, Warning>> {
    const out = new Map<string, Warning>();
    if (ids.length === 0) return out;
    const raw = await this.redis.hmget(this.k.warnings, ...ids);
    raw.forEach((v, i) => {
      if (v !== null) out.set(ids[i], JSON.parse(v) as Warning);
    });
    return out;
  }

  async all(): Promise<Warning[]> {
    return Object.values(await this.redis.hgetall(this.k.warnings)).map((v) => JSON.parse(v) as Warning);
  }

  async raw(messageId: string): Promise<StoredRaw | null> {
    const v = await this.redis.hget(this.k.warningRaw, messageId);
    return v === null ? null : (JSON.parse(v) as StoredRaw);
  }

  /** The raw messages of some message ids (the projector copies them into the record). */
  async raws(messageIds: readonly string[]): Promise<Map<string, StoredRaw>> {
    const out = new Map<string, StoredRaw>();
    if (messageIds.length === 0) return out;
    const raw = await this.redis.hmget(this.k.warningRaw, ...messageIds);
    raw.forEach((v, i) => {
      if (v !== null) out.set(messageIds[i], JSON.parse(v) as StoredRaw);
    });
    return out;
  }
}
