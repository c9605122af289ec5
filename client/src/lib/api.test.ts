/**
 * The API edge decodes with the shared schemas in tests (issue 10): a wrong answer fails here,
 * loudly, as a ProtocolError. `fetch` is replaced by a function answering canned JSON: these
 * tests are about reading answers, not about the server (the browser tests use the real one).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Incident } from '../../../shared/index.ts';
import { getConfig, getIncident, getReplay, getSnapshot } from './api.ts';
import { incident, snapshot, T0 } from './testing/fixtures.ts';
import { ProtocolError } from './wire.ts';

let answer: unknown;
let errors: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(answer), { status: 200 }));
  errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.unstubAllGlobals();
  errors.mockRestore();
});

const v1Incident = (id: string): Incident => {
  const { lastAction: _drop, ...rest } = incident(id);
  return { ...rest, history: [{ at: T0, action: 'accepted' }] } as unknown as Incident;
};

describe('api decoding', () => {
  it('passes an answer that matches, as it came', async () => {
    answer = snapshot({ seq: 4, incidents: [incident('i1')] });
    expect(await getSnapshot()).toEqual(answer);
  });

  it('refuses a snapshot of another protocol, naming the field, and reports it', async () => {
    answer = snapshot({ incidents: [v1Incident('i1')] });
    const err = await getSnapshot().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).issues).toEqual([
      expect.objectContaining({ path: 'incidents.0.lastAction' }),
    ]);
    expect(errors).toHaveBeenCalledOnce();
  });

  it('reads an incident as its record: history and every merged id', async () => {
    const record = {
      ...incident('i1', { mergedIds: ['m20'] }),
      mergedIds: Array.from({ length: 30 }, (_, k) => `m${k}`),
      history: [{ at: T0, action: 'accepted' }],
    };
    answer = record;
    expect(await getIncident('i1')).toEqual(record);
    answer = incident('i1');
    await expect(getIncident('i1')).rejects.toThrow(/history/);
  });

  it('a replay from the record may hold v1 incidents and v1 events', async () => {
    const v1 = v1Incident('i1');
    answer = {
      at: T0,
      state: snapshot({ incidents: [v1] }),
      events: [{ seq: 1, type: 'incident.updated', at: T0, data: { ...v1, version: 2 } }],
      truncated: false,
      assumed: { resourceIds: [], mode: false },
    };
    expect((await getReplay(T0, T0)).state.incidents).toHaveLength(1);
    // …but not a malformed envelope
    answer = { ...(answer as object), events: [{ seq: 0, type: 'incident.updated', at: T0, data: {} }] };
    await expect(getReplay(T0, T0)).rejects.toBeInstanceOf(ProtocolError);
  });

  it('config must say which protocol the server speaks', async () => {
    answer = { mapStyleUrl: null, demo: true, protocol: 2 };
    expect((await getConfig()).protocol).toBe(2);
    answer = { mapStyleUrl: null, demo: true };
    await expect(getConfig()).rejects.toBeInstanceOf(ProtocolError);
  });
});
