import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child-process.ts';

const WORKER_MAIN = fileURLToPath(new URL('../worker-main.ts', import.meta.url));
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const STOP_GRACE_MS = 20_000;

/**
 * Pipeline workers in their own processes beside the server (`WORKERS`, default 1).
 *
 * Why a process and not the server's own event loop: under load the server spends its time
 * writing frames to hundreds of consoles and answering intake; a job waits a loop turn for each
 * of its Redis round trips, so sharing that loop caps the pipeline's rate. In its own process the
 * pipeline runs on another core. A worker that dies is restarted with backoff; a server that dies
 * takes its workers with it (they exit when the IPC channel closes), and their unfinished jobs
 * are taken up again by BullMQ's stalled-job check.
 */
export class WorkerProcesses {
  private readonly children = new Set<ChildProcess>();
  private stopping = false;

  constructor(
    private readonly count: number,
    private readonly env: Record<string, string>,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(): void {
    for (let i = 0; i < this.count; i++) this.spawn(i, RESTART_MIN_MS);
  }

  get pids(): number[] {
    return [...this.children].map((c) => c.pid!).filter(Boolean);
  }

  private spawn(slot: number, backoff: number): void {
    const startedAt = Date.now();
    const child = fork(WORKER_MAIN, [], {
      // The same loader flags (tsx) and options as this process.
      execArgv: process.execArgv,
      env: { ...process.env, ...this.env, PZ_WORKER_CHILD: '1', PZ_WORKER_SLOT: String(slot) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.children.add(child);
    child.once('exit', (code, signal) => {
      this.children.delete(child);
      if (this.stopping) return;
      // A worker that ran for a while starts over with a short wait; one that keeps dying waits longer.
      const wait = Date.now() - startedAt > RESTART_MAX_MS ? RESTART_MIN_MS : backoff;
      this.log(`pipeline worker ${slot} exited (${signal ?? code}); restarting in ${wait} ms`);
      setTimeout(() => !this.stopping && this.spawn(slot, Math.min(wait * 2, RESTART_MAX_MS)), wait).unref();
    });
  }

  /** Lets each worker finish the jobs it holds, then waits for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children].map((c) => stopChild(c, STOP_GRACE_MS)));
  }
}
