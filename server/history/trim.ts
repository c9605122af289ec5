import type { Redis } from 'ioredis';

/**
 * Trims the event stream, keeping at least the newest `keep` events (how far back a console may
 * resume over the socket) and every event not yet in the database: an entry goes only when its
 * seq is at most `projectedSeq` AND older than the newest `keep`. A database outage thus grows
 * the stream instead of losing history. Approximate trimming (the default) removes whole
 * stream nodes only, so it may keep a few more, never fewer. Returns the entries removed.
 */
export async function trimProjected(
  redis: Redis,
  key: string,
  projectedSeq: number,
  keep: number,
  opts: { exact?: boolean } = {},
): Promise<number> {
  const newest = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
  if (newest.length === 0) return 0;
  const head = Number(newest[0][0].split('-')[0]);
  const minId = Math.min(projectedSeq, head - keep) + 1;
  if (minId <= 1) return 0;
  const id = `${minId}-0`;
  return opts.exact ? redis.xtrim(key, 'MINID', '=', id) : redis.xtrim(key, 'MINID', '~', id);
}

/**
 * Records the projected seq in Redis, only ever upwards, so that the commit script can trim by
 * it atomically (`XTRIM MINID`) without asking the database.
 */
export async function publishProjectedSeq(redis: Redis, key: string, seq: number): Promise<void> {
  await redis.eval(
    "local cur = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end return 0",
    1,
    key,
    String(seq),
  );
}
