import { describe, expect, it } from 'vitest';
import { JOBS, JobRegistry } from './registry.ts';

const all = () =>
  Object.fromEntries(Object.keys(JOBS).map((n) => [n, async (p: unknown) => ({ ran: n, p })])) as never;

describe('JobRegistry', () => {
  it('refuses to start when a declared job has no handler', () => {
    const handlers = all() as Record<string, unknown>;
    const [first] = Object.keys(JOBS);
    delete handlers[first];
    expect(() => JobRegistry.create(handlers as never)).toThrow(`no handler for ${first}`);
  });

  it('refuses handlers for jobs nobody declared', () => {
    expect(() => JobRegistry.create({ ...(all() as object), 'nope.job': async () => 1 } as never)).toThrow(
      /undeclared jobs nope\.job/,
    );
  });

  it('validates payloads before the handler runs', async () => {
    const r = JobRegistry.create(all());
    await expect(r.run('intake.incident', { id: 'x' })).rejects.toThrow();
    await expect(r.run('unknown', {})).rejects.toThrow(/unknown job/);
  });
});
