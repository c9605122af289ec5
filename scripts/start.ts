/**
 * `npm start`: refuses at once when DATA_DIR already has a running server (before the build would
 * rewrite the client files that server is serving), builds the client, then runs the server in
 * this same process. npm passes SIGTERM/SIGINT to its script's process, which `exec` makes tsx;
 * tsx relays them to this process, so they reach the server itself and nothing is left behind.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { DataDirLockedError, liveOwner } from '../server/infra/data-dir-lock.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const config = loadConfig();
if (!config.redisUrl) {
  const dataDir = path.resolve(config.dataDir);
  const owner = liveOwner(dataDir);
  if (owner) {
    console.error(new DataDirLockedError(dataDir, owner).message);
    process.exit(1);
  }
}

// The build is a child: a signal meanwhile is passed to it, and the server is not started after.
let signalled: NodeJS.Signals | null = null;
const build = spawn('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const forward = (s: NodeJS.Signals) => {
  signalled = s;
  build.kill(s);
};
process.on('SIGTERM', forward);
process.on('SIGINT', forward);
const code = await new Promise<number>((resolve) => build.once('exit', (c) => resolve(c ?? 1)));
process.off('SIGTERM', forward);
process.off('SIGINT', forward);
if (signalled) process.exit(0);
if (code !== 0) process.exit(code);

await import('../server/main.ts');
