import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('hides the password of a user', () => {
    expect(redactUrl('redis://user:s3cret@redis.internal:6380/2')).toBe(
      'redis://user:***@redis.internal:6380/2',
    );
  });

  it('hides a password given without a user, and one with reserved characters', () => {
    expect(redactUrl('rediss://:p%40ss%2Fw0rd@host')).toBe('rediss://:***@host');
    expect(redactUrl('postgres://pz:a%3Ab@db:5432/pingzhan')).toBe('postgres://pz:***@db:5432/pingzhan');
  });

  it('hides a password in the query', () => {
    expect(redactUrl('redis://host:6379?password=s3cret&db=1')).toBe('redis://host:6379?password=***&db=1');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
    expect(redactUrl('redis://user@host:6379')).toBe('redis://user@host:6379');
    expect(redactUrl('redis+socket:///tmp/pz/redis.sock')).toBe('redis+socket:///tmp/pz/redis.sock');
  });

  it('never prints the password of a URL it cannot parse', () => {
    const out = redactUrl('redis://user:s3cret@[bad');
    expect(out).not.toContain('s3cret');
    expect(out).toContain('user:***@');
  });
});
