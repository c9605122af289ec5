import { describe, expect, it } from 'vitest';
import { isRedisUnavailable, RedisErrorLog, redactMessage } from './redis-errors.ts';

function sysError(code: string, syscall: string) {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
}
function replyError(message: string) {
  return Object.assign(new Error(message), { name: 'ReplyError' });
}

describe('isRedisUnavailable', () => {
  it('recognises timeouts, give-ups, closed connections and refused writes', () => {
    for (const e of [
      new Error('Command timed out'),
      Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
        name: 'MaxRetriesPerRequestError',
      }),
      new Error('Connection is closed.'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      sysError('ECONNREFUSED', 'connect'),
      sysError('ENOENT', 'connect'),
      sysError('ECONNRESET', 'read'),
      replyError('LOADING Redis is loading the dataset in memory'),
      replyError('MISCONF Errors writing to the AOF file: No space left on device'),
      replyError("OOM command not allowed when used memory > 'maxmemory'."),
      new Error('wrapped', { cause: new Error('Command timed out') }),
    ])
      expect(isRedisUnavailable(e), e.message).toBe(true);
  });

  it('leaves every other error a 500', () => {
    for (const e of [
      new Error('boom'),
      sysError('ENOENT', 'open'),
      replyError('ERR user_script:1: attempt to index a nil value'),
      replyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      null,
      'Command timed out',
    ])
      expect(isRedisUnavailable(e), String(e)).toBe(false);
  });
});

describe('RedisErrorLog', () => {
  it('counts every error, logs the first of a kind, then one line per interval with the count left out', () => {
    let t = 1_000_000;
    const lines: Record<string, unknown>[] = [];
    const log = new RedisErrorLog(
      { warn: (obj) => lines.push(obj as Record<string, unknown>) },
      30_000,
      () => t,
    );
    for (let i = 0; i < 1000; i++) log.record('state', new Error('connect ECONNREFUSED /x/redis.sock'));
    log.record('queue', new Error('connect ECONNREFUSED /x/redis.sock'));
    expect(lines).toEqual([
      { connection: 'state', err: 'connect ECONNREFUSED /x/redis.sock' },
      { connection: 'queue', err: 'connect ECONNREFUSED /x/redis.sock' },
    ]);
    t += 30_000;
    log.record('state', new Error('connect ECONNREFUSED /x/redis.sock'));
    expect(lines[2]).toEqual({
      connection: 'state',
      err: 'connect ECONNREFUSED /x/redis.sock',
      suppressedSinceLast: 999,
    });
    const stats = log.snapshot();
    expect(stats.total).toBe(1002);
    expect(stats.byConnection).toEqual({ state: 1001, queue: 1 });
    expect(stats.last?.connection).toBe('state');
  });

  it('never logs a password from a URL in a message', () => {
    const lines: string[] = [];
    const log = new RedisErrorLog({ warn: (obj) => lines.push(JSON.stringify(obj)) });
    log.record('state', new Error('cannot reach redis://pz:s3cret@10.0.0.5:6379/0 (timeout)'));
    expect(lines.join()).not.toContain('s3cret');
    expect(lines.join()).toContain('redis://pz:***@10.0.0.5:6379/0');
    expect(log.snapshot().last?.message).not.toContain('s3cret');
    expect(redactMessage('rediss://:hunter2@h:6380 and postgres://u:p%40ss@db/x')).toBe(
      'rediss://:***@h:6380 and postgres://u:***@db/x',
    );
  });
});
