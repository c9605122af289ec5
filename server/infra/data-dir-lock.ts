import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'pingzhan.lock';

/** What the lock file says about the process that owns the data directory. */
export type LockOwner = {
  pid: number;
  token: string;
  startedAt: string;
  /** The kernel's start time of the pid (Linux), so a pid reused after a reboot is not taken for the owner. */
  procStart?: string;
  address?: string;
};

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by another Pingzhan server: pid ${owner.pid}` +
        (owner.address ? ` at ${owner.address}` : ' (still starting)') +
        `, started ${owner.startedAt}.\n` +
        'Stop that one first (kill -TERM ' +
        owner.pid +
        '), or give this one a DATA_DIR of its own. Its Redis was left alone.',
    );
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The owner is alive if its pid answers signal 0 (EPERM: alive, another user) and is the same process. */
function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = owner.procStart === undefined ? undefined : procStart(owner.pid);
  return now === undefined || now === owner.procStart;
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && o.pid > 0 && typeof o.token === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** The live owner of `dataDir`, if it has one (a look only: nothing is taken or removed). */
export function liveOwner(dataDir: string): LockOwner | null {
  const owner = readOwner(path.join(path.resolve(dataDir), LOCK_FILE));
  return owner && alive(owner) ? owner : null;
}

/** A lock file still empty or half-written this young may be an owner between open and write. */
const YOUNG_MS = 2_000;

/**
 * One owner per DATA_DIR: an exclusive lock file holding the owner's pid (and, once listening,
 * its address). `open(…, 'wx')` makes taking it atomic; a lock whose pid is dead (the owner was
 * killed with SIGKILL) is stale and taken over. proper-lockfile would do, but is not a dependency.
 */
export class DataDirLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly file: string,
    private owner: LockOwner,
  ) {
    // A process that exits by any path but SIGKILL leaves no lock behind.
    process.once('exit', this.onExit);
  }

  /** Takes the lock on `dataDir` (which must exist) or throws DataDirLockedError naming the owner. */
  static acquire(dataDir: string): DataDirLock {
    const dir = path.resolve(dataDir);
    const file = path.join(dir, LOCK_FILE);
    const owner: LockOwner = {
      pid: process.pid,
      token: randomUUID(),
      startedAt: new Date().toISOString(),
      procStart: procStart(process.pid),
    };
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(owner));
        } finally {
          closeSync(fd);
        }
        return new DataDirLock(file, owner);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = readOwner(file);
      if (current && alive(current)) throw new DataDirLockedError(dir, current);
      if (!current && DataDirLock.young(file)) {
        // Another starter is between its open and its write: wait for it to say who it is.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      DataDirLock.removeStale(file, current);
    }
    throw new Error(`could not take the lock ${file}: it keeps changing hands`);
  }

  private static young(file: string): boolean {
    try {
      return Date.now() - statSync(file).mtimeMs < YOUNG_MS;
    } catch {
      return false;
    }
  }

  /**
   * Removes a stale lock, and only that one: it is first moved aside (atomic), then checked; if a
   * concurrent starter had already replaced it with a live lock, that one is put back (link fails
   * rather than overwrite) and the next attempt reports it.
   */
  private static removeStale(file: string, stale: LockOwner | null): void {
    const aside = `${file}.stale-${process.pid}-${randomUUID()}`;
    try {
      renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
      throw err;
    }
    const moved = readOwner(aside);
    if (moved && moved.token !== stale?.token) {
      try {
        linkSync(aside, file);
      } catch {
        // a third starter took the path meanwhile; it is the owner now
      }
    }
    rmSync(aside, { force: true });
  }

  /** Adds facts to the lock for a second starter's message (e.g. the address once listening). */
  update(facts: Pick<LockOwner, 'address'>): void {
    if (this.released) return;
    this.owner = { ...this.owner, ...facts };
    // Write aside and rename over: a reader sees the old or the new content, never half of one.
    const tmp = `${this.file}.${this.owner.token}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.owner));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    if (readOwner(this.file)?.token === this.owner.token) rmSync(this.file, { force: true });
  }
}
