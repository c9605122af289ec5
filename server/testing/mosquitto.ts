/**
 * A real MQTT broker for tests: Debian's mosquitto, started by the test on a private port of its
 * own (never 1883, never a broker it did not start), with a config file in a temporary directory.
 * NEEDS /usr/sbin/mosquitto: Debian package `mosquitto` (`apt-get install -y mosquitto`; `.ci/run`
 * installs it). `restart()` stops it and starts it again on the same port (a broker outage).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const HAS_MOSQUITTO = existsSync(MOSQUITTO);

export type TestBroker = { url: string; port: number; restart(): Promise<void>; stop(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port;
        srv.close(() => resolve(port));
      });
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
      .once('connect', () => {
        s.destroy();
        resolve(true);
      })
      .once('error', () => resolve(false));
  });

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
  );

export async function startTestBroker(): Promise<TestBroker> {
  if (!HAS_MOSQUITTO)
    throw new Error(
      `this test needs ${MOSQUITTO}: install Debian package mosquitto (apt-get install -y mosquitto)`,
    );
  const dir = mkdtempSync(path.join(tmpdir(), 'pz-mqtt-'));
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ''].join(
      '\n',
    ),
  );
  let child: ChildProcess | null = null;
  let stderr = '';

  const start = async () => {
    stderr = '';
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child = c;
    const end = Date.now() + 10_000;
    // Polling the port is waiting on the broker, not on time: it answers once it listens.
    while (!(await accepts(port))) {
      if (c.exitCode !== null) throw new Error(`mosquitto exited (${c.exitCode}): ${stderr}`);
      if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c) return;
    c.kill('SIGTERM');
    await exited(c);
  };

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async restart() {
      await stop();
      await start();
    },
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
