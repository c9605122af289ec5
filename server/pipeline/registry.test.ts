import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { conflict, DomainError } from '../infra/domain-errors.ts';
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

describe('jobs that can never succeed', () => {
  const handlers = (fail: () => never) =>
    Object.fromEntries(Object.keys(JOBS).map((n) => [n, async () => fail()])) as never;

  it('fail as unrecoverable on a refused payload, naming the field', async () => {
    const r = JobRegistry.create(all());
    const bad = {
      id: 'INC-1',
      actor: 'intake',
      receivedAt: new Date(0).toISOString(),
      input: { source: 's', kind: 'case', category: 'fire', title: '\ud800', location: { lng: 1, lat: 1 } },
    };
    const err = await r.run('intake.incident', bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toMatch(/input\.title: ill-formed/);
    await expect(r.run('nope', {})).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('fail as unrecoverable on a domain error no retry changes, and stay retryable otherwise', async () => {
    const payload = { operationId: 'OP-1', taskId: 'T-1' };
    const gone = JobRegistry.create(
      handlers(() => {
        throw new DomainError(400, 'invalid_request', 'unknown camera "CAM-X"');
      }),
    );
    await expect(gone.run('task.due', payload)).rejects.toBeInstanceOf(UnrecoverableError);
    for (const transient of [new Error('Connection is closed'), conflict('too many simultaneous changes')]) {
      const r = JobRegistry.create(
        handlers(() => {
          throw transient;
        }),
      );
      const err = await r.run('task.due', payload).catch((e: unknown) => e);
      expect(err).toBe(transient);
    }
  });
});

describe('the request id on intake jobs', () => {
  const payload = {
    id: 'INC-1',
    actor: 'intake',
    receivedAt: new Date(0).toISOString(),
    input: { source: 's', kind: 'case', category: 'fire', title: 't', location: { lng: 116.3, lat: 39.9 } },
  };
  const seen = () => {
    const got: unknown[] = [];
    const handlers = Object.fromEntries(
      Object.keys(JOBS).map((n) => [n, async (p: unknown) => void got.push(p)]),
    ) as never;
    return { r: JobRegistry.create(handlers), got };
  };

  it('reaches the handler when the job carries one', async () => {
    const { r, got } = seen();
    await r.run('intake.incident', { ...payload, requestId: 'req-abc' });
    expect(got[0]).toMatchObject({ id: 'INC-1', requestId: 'req-abc' });
  });

  it('is optional: a job queued before it existed still runs', async () => {
    const { r, got } = seen();
    await r.run('intake.incident', payload);
    expect(got.at(-1)).toMatchObject({ id: 'INC-1' });
    expect(got.at(-1)).not.toHaveProperty('requestId');
  });

  it('is dropped, not fatal, when malformed', async () => {
    const { r, got } = seen();
    await r.run('intake.incident', { ...payload, requestId: 'x'.repeat(500) });
    expect(got[0]).toMatchObject({ id: 'INC-1' });
    expect((got[0] as { requestId?: string }).requestId).toBeUndefined();
  });
});
