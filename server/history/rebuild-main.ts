/**
 * `npm run db:rebuild`: rebuilds every read model from the `events` table. Uses DATABASE_URL,
 * else this DATA_DIR's embedded PostgreSQL (the running server's, or started for the occasion).
 */
import path from 'node:path';
import pg from 'pg';
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

let url = process.env.DATABASE_URL;
let started: PostgresSupervisor | null = null;
if (!url) {
  const sup = new PostgresSupervisor({
    dataDir: process.env.DATA_DIR ?? path.resolve('data'),
    log: console.log,
  });
  const existing = sup.existingUrl();
  if (existing && (await reachable(existing))) url = existing;
  else {
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
}
