/**
 * One integration cannot overwrite another's warnings: a key may Update or Cancel only the
 * warnings it issued itself (403 naming the warning, nothing queued or written); operators may
 * act on any. Each message of a thread records who posted it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warning } from '../../shared/warning.ts';
import { apiAs, until, type Api } from '../testing/command-helpers.ts';
import { login, startTestServer, waitForPipelineIdle, type TestServer } from '../testing/harness.ts';
import { rain, ref, SENDER } from './fixtures/rainstorm.ts';
import { warningId } from './warning.service.ts';

const METEO = 'meteo-intake-key-0001';
const OTHER = 'other-intake-key-0002';

describe('warnings belong to the integration that issued them', () => {
  let s: TestServer;
  let duty: Api;
  const post = (key: string | null, body: string) =>
    fetch(`${s.url}/api/v1/warnings`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cap+xml',
        ...(key ? { authorization: `Bearer ${key}` } : { cookie: duty.cookie }),
      },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const stored = async (id: string) => {
    const v = await s.container.redis.hget(s.container.keys.warnings, id);
    return v ? (JSON.parse(v) as Warning) : null;
  };

  beforeAll(async () => {
    s = await startTestServer({ env: { INTAKE_KEYS: `meteo:${METEO},other:${OTHER}` } });
    duty = apiAs(s.url, await login(s.url, 'duty'));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses another key’s Update and Cancel, takes the issuer’s and an operator’s', async () => {
    expect((await post(METEO, rain({ identifier: 'own-1', severity: 'Moderate' }))).status).toBe(202);
    const id = warningId(SENDER, 'own-1');
    const issued = await until(() => stored(id));
    expect(issued.messages).toEqual([expect.objectContaining({ identifier: 'own-1', by: 'meteo' })]);

    await waitForPipelineIdle(s);
    const head = await s.container.store.headSeq();
    for (const msgType of ['Update', 'Cancel'] as const) {
      const r = await post(
        OTHER,
        rain({ identifier: `other-${msgType}`, msgType, references: ref('own-1') }),
      );
      expect(r.status).toBe(403);
      expect(r.body.issues).toEqual([{ path: 'references', message: expect.stringContaining(id) }]);
    }
    await waitForPipelineIdle(s);
    expect(await s.container.store.headSeq()).toBe(head);
    expect((await stored(id))!.version).toBe(issued.version);

    // The issuer updates it; then the duty officer (an operator) cancels it.
    const up = await post(
      METEO,
      rain({ identifier: 'own-2', msgType: 'Update', references: ref('own-1'), severity: 'Severe' }),
    );
    expect(up.status).toBe(202);
    await until(async () => ((await stored(id))?.colour === 'orange' ? true : null));
    const cancel = await post(
      null,
      rain({ identifier: 'own-3', msgType: 'Cancel', references: ref('own-2') }),
    );
    expect(cancel.status).toBe(202);
    const done = await until(async () => {
      const w = await stored(id);
      return w?.state === 'cancelled' ? w : null;
    });
    expect(done.messages.map((m) => m.by)).toEqual(['meteo', 'meteo', 'duty']);
  });
});
