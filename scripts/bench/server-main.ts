/**
 * Only for `npm run bench -- --fsync everysec|no`: the product's server (startPingzhan, as
 * server/main.ts calls it) with a relaxed Redis fsync, to show what durability costs. The default
 * benchmark runs server/main.ts itself.
 */
import { loadConfig } from '../../server/config.ts';
import { startPingzhan } from '../../server/runtime.ts';

const fsync = (process.env.BENCH_FSYNC ?? 'always') as 'always' | 'everysec' | 'no';
const running = await startPingzhan(loadConfig(), {
  logger: { level: 'warn' },
  redisFsync: fsync,
  workerProcesses: true,
});
console.log(`  Pingzhan 平战 is running at ${running.url}/ (redis appendfsync ${fsync})`);
const stop = () => void running.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
