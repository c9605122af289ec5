import { describe, expect, it } from 'vitest';
import { retryAfterSeconds } from './api.ts';
import { parseSimArgs } from './args.ts';

describe('simulate arguments', () => {
  it('has the documented defaults', () => {
    const a = parseSimArgs([], {}, 1_000_000);
    expect(a).toMatchObject({
      url: 'http://127.0.0.1:8080',
      key: 'demo-intake-key',
      speed: 600,
      storm: false,
      resources: true,
      duration: 144,
      seed: '0',
    });
    expect(a.runId).toBe(`sim${(1_000_000).toString(36)}`);
  });

  it('parses options', () => {
    const a = parseSimArgs([
      '--storm',
      '--seed',
      'x',
      '--run-id',
      'r',
      '--speed',
      '60',
      '--no-resources',
      '--url',
      'http://h:1/',
    ]);
    expect(a).toMatchObject({
      storm: true,
      seed: 'x',
      runId: 'r',
      speed: 60,
      resources: false,
      url: 'http://h:1',
    });
    expect(a.duration).toBe(1440);
  });

  it('refuses nonsense', () => {
    expect(() => parseSimArgs(['--speed', '0'])).toThrow(/speed/);
    expect(() => parseSimArgs(['--start-hour', '25'])).toThrow(/start-hour/);
  });
});

describe('Retry-After', () => {
  it('reads seconds and dates, and caps them', () => {
    expect(retryAfterSeconds('5', 30)).toBe(5);
    expect(retryAfterSeconds('500', 30)).toBe(30);
    expect(retryAfterSeconds(null, 30)).toBe(1);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 30, 4_000)).toBe(6);
  });
});
