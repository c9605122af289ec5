/**
 * `npm run db:rebuild`: rebuilds every read model from the `events` table. Uses DATABASE_URL,
 * else this DATA_DIR's embedded PostgreSQL: the running server's, or, with the server stopped,
 * started for the occasion under the DATA_DIR lock. Safe either way; see below.
 */
import path from 'node:path';
import pg from 'pg';
import { DataDirLock } from '../infra/data-dir-lock.ts';
import { PostgresSupervisor } from '../infra/postgres-supervisor.ts';
import { redactUrl } from '../infra/redact.ts';
import { migrate, openHistory } from './db.ts';
import { rebuildReadModels } from './rebuild.ts';

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

let url = process.env.DATABASE_URL || undefined;
let started: PostgresSupervisor | null = null;
let lock: DataDirLock | null = null;
if (!url) {
  const dataDir = process.env.DATA_DIR ?? path.resolve('data');
  const sup = new PostgresSupervisor({ dataDir, log: console.log });
  const existing = sup.existingUrl();
  // A running server's database: rebuilding beside it is safe (the rebuild's transaction locks
  // the cursor row; the projector's next batch waits for it and then appends to the new rows).
  if (existing && (await reachable(existing))) url = existing;
  else {
    // A stopped server's: take its DATA_DIR lock first, so that no server starts on it (and
    // starts its own PostgreSQL there) while we run one; a live owner is named and refused.
    try {
      lock = DataDirLock.acquire(dataDir);
    } catch (err) {
      console.error((err as Error).message);
      process.exit(1);
    }
    await sup.start();
    started = sup;
    url = sup.url;
  }
}
console.log(`rebuilding the read models in ${redactUrl(url)}`);
const history = openHistory(url);
try {
  await migrate(history.db);
  const t0 = Date.now();
  const { events } = await rebuildReadModels(history.db, {
    log: (m) => process.stdout.write(`\r${m}   `),
  });
  console.log(`\nreplayed ${events} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  await history.close();
  await started?.stop();
  lock?.release();
}
