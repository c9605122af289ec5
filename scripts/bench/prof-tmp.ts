import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { Poster } from './poster.ts';
import { CpuMeter, startServerProcess } from './processes.ts';
const dataDir = mkdtempSync(path.join(tmpdir(), 'pz-prof-'));
const server = await startServerProcess({ DATA_DIR: dataDir });
const sock = path.join(dataDir, 'redis.sock');
const poster = new Poster(server.url, 'demo-intake-key', 256);
await poster.run('w-', 100, 2);
await new Promise((r) => setTimeout(r, 2000));
execSync(`redis-cli -s ${sock} config resetstat`);
execSync(`redis-cli -s ${sock} config set slowlog-log-slower-than 0`);
execSync(`redis-cli -s ${sock} config set slowlog-max-len 100000`);
const cpu = new CpuMeter({
  server: () => [server.pid],
  redis: () => [server.redisPid!],
  poster: () => [process.pid],
});
cpu.start();
const rate = Number(process.argv[2] ?? 1000);
const r = await poster.run('p-', rate, 10);
await new Promise((r) => setTimeout(r, 3000));
console.log(cpu.stop(), r.accepted);
console.log(execSync(`redis-cli -s ${sock} info commandstats`).toString());
execSync(`redis-cli -s ${sock} slowlog get 100000 > /tmp/prof/slowlog.txt`);
execSync(`redis-cli -s ${sock} script list > /tmp/prof/scripts.txt 2>&1 || true`);
await server.stop();
