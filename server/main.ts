import { loadConfig, assertProductionSafe } from './config.ts';
import { BasemapFileError, checkBasemapFile } from './basemap/pmtiles-header.ts';
import { DataDirLockedError } from './infra/data-dir-lock.ts';
import { redactUrl } from './infra/redact.ts';
import { PostgresStartError } from './infra/postgres-supervisor.ts';
import { RedisMissingError } from './infra/redis-supervisor.ts';
import { startPingzhan } from './runtime.ts';
import { DEMO_USERS } from './identity/auth.service.ts';

const config = loadConfig();
try {
  assertProductionSafe(config);
  // A missing or wrong basemap file is a refusal with a reason, before anything starts.
  if (config.basemapPath) checkBasemapFile(config.basemapPath);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}

try {
  const running = await startPingzhan(config, {
    logger: { level: config.logLevel },
    log: (m) => console.log(m),
    workerProcesses: true,
  });
  const lines = [
    '',
    `  Pingzhan 平战 is running at ${running.url}/`,
    `    wall:    ${running.url}/wall`,
    `    console: ${running.url}/console`,
    running.redis
      ? `    redis:   own redis-server, data in ${config.dataDir}`
      : `    redis:   ${redactUrl(config.redisUrl ?? '')}`,
    // The display form only: the real URL carries the generated password.
    running.postgres
      ? `    postgres: own PostgreSQL, data in ${running.postgres.pgdata} (${running.postgres.displayUrl})`
      : `    postgres: ${redactUrl(config.databaseUrl ?? '')}`,
    running.workerProcesses
      ? `    pipeline: ${config.workers} worker process${config.workers > 1 ? 'es' : ''} (${config.workerConcurrency} jobs each)`
      : running.worker
        ? `    pipeline: in this process (${config.workerConcurrency} jobs)`
        : '    pipeline: none here (WORKER_CONCURRENCY=0): run `npm run worker`',
  ];
  if (config.demoPassword !== null) {
    lines.push(
      `  Demo logins (password "${config.demoPassword}"): ${DEMO_USERS.map((u) => u.username).join(', ')}`,
      `  Demo intake key: ${config.intakeKeys[0]?.key ?? '(none)'}   Feed it with: npm run simulate`,
    );
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.app.log.info(`${signal}: finishing in-flight work, then stopping`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  // Expected refusals say what to do; anything else gets its stack.
  if (
    err instanceof RedisMissingError ||
    err instanceof DataDirLockedError ||
    err instanceof PostgresStartError ||
    err instanceof BasemapFileError
  )
    console.error(err.message);
  else console.error('Pingzhan failed to start:', err);
  process.exit(1);
}
