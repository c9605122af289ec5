import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Warning } from '../../shared/warning.ts';
import { apiAs, reportIncident, until } from '../testing/command-helpers.ts';
import {
  INTAKE_KEY,
  login,
  startTestServer,
  waitForPipelineIdle,
  waitForProjection,
  type TestServer,
} from '../testing/harness.ts';
import { CAP_XSD, xmllint } from '../testing/xmllint.ts';
import { capTimeMs } from './cap-model.ts';
import { parseCap } from './cap-parse.ts';
import { routeStatus } from './cap-mapping.ts';
import { BROKEN_VARIANTS, fixture, FIXTURES_DIR } from './fixtures/broken-variants.ts';
import { rain, ref } from './fixtures/rainstorm.ts';
import { warningId } from './warning.service.ts';

describe('CAP warnings end to end', () => {
  let s: TestServer;
  let duty: ReturnType<typeof apiAs>;
  const post = (body: string | Uint8Array, type = 'application/cap+xml') =>
    fetch(`${s.url}/api/v1/warnings`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${INTAKE_KEY}` },
      body: typeof body === 'string' ? body : Buffer.from(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const active = async () => (await duty.get('/api/v1/warnings')).body as Warning[];
  const stored = async (id: string) => {
    const v = await s.container.redis.hget(s.container.keys.warnings, id);
    return v ? (JSON.parse(v) as Warning) : null;
  };
  const eventsAfter = async (seq: number) => s.container.store.readAfter(seq, 1000);

  beforeAll(async () => {
    s = await startTestServer({ env: { WARNING_DEFAULT_EXPIRY_MS: String(24 * 3600_000) } });
    duty = apiAs(s.url, await login(s.url, 'duty'));
  });
  afterAll(async () => s?.close());

  it('takes every published fixture that parses: 202, and shown unless Test/System or over', async () => {
    const files = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.xml'));
    let posted = 0;
    const seen = new Set<string>();
    for (const f of files) {
      const bytes = readBytes(f);
      const parsed = parseCap(bytes);
      if (!parsed.ok) {
        const r = await post(bytes);
        expect(r.status, f).toBe(400);
        continue;
      }
      const a = parsed.alert;
      const r = await post(bytes);
      if (a.msgType === 'Update' || a.msgType === 'Cancel') {
        // 202 when every message referenced was posted before (a fixture's earlier message), else 409.
        const known = (a.references ?? []).every((x) => seen.has(warningId(x.sender, x.identifier)));
        expect(r.status, f).toBe(known ? 202 : 409);
        if (!known) expect(r.body.error).toBe('unknown_reference');
        await waitForPipelineIdle(s);
        continue;
      }
      expect(r.status, f).toBe(202);
      expect(r.body.id).toBe(warningId(a.sender, a.identifier));
      posted++;
      // Two fixtures are the same message (sender, identifier): one warning, the first.
      if (seen.has(r.body.id)) continue;
      seen.add(r.body.id);
      await waitForPipelineIdle(s);
      if (a.msgType !== 'Alert') continue; // Ack/Error: kept, no warning
      const w = await until(() => stored(r.body.id));
      const expiries = a.infos.flatMap((i) => (i.expires ? [capTimeMs(i.expires)] : []));
      const over = expiries.length > 0 && Math.max(...expiries) <= Date.now();
      const shown = routeStatus(a.status) !== 'stored' && !over;
      expect(
        (await active()).some((x) => x.id === w.id),
        `${f} ${JSON.stringify(w).slice(0, 600)}`,
      ).toBe(shown);
    }
    expect(posted).toBeGreaterThan(10);
    await waitForPipelineIdle(s);
  });

  it('answers 400 naming the problems to every broken variant, writing nothing', async () => {
    for (const v of BROKEN_VARIANTS) {
      const seq = await s.container.store.headSeq();
      const jobs = await s.container.queue.counts();
      const r = await post(v.edit(fixture(v.base)));
      expect(r.status, v.rule).toBe(400);
      expect(r.body.error).toBe('invalid_cap');
      for (const p of v.problems)
        expect(
          r.body.issues.some(
            (i: { path: string; message: string }) => i.path === p.path && i.message.includes(p.says),
          ),
          `${v.rule}: ${p.path}`,
        ).toBe(true);
      expect(await s.container.store.headSeq()).toBe(seq);
      expect(await s.container.queue.counts()).toEqual(jobs);
    }
  });

  it('refuses JSON (415) and a Draft (400)', async () => {
    expect((await post('{}', 'application/json')).status).toBe(415);
    const r = await post(rain({ identifier: 'draft-1', status: 'Draft' }));
    expect(r.status).toBe(400);
  });

  it('an Alert, its Update, its Cancel: one thread, events in order; the same message twice is one', async () => {
    const seq = await s.container.store.headSeq();
    const first = await post(rain({ identifier: 'thread-1' }));
    expect(first.status).toBe(202);
    expect((await post(rain({ identifier: 'thread-1' }))).status).toBe(202);
    await until(async () => (await active()).find((w) => w.id === first.body.id));
    const up = await post(
      rain({ identifier: 'thread-1u', msgType: 'Update', references: ref('thread-1'), severity: 'Extreme' }),
    );
    expect(up.status).toBe(202);
    const red = await until(async () =>
      (await active()).find((w) => w.id === first.body.id && w.colour === 'red'),
    );
    expect(red.identifier).toBe('thread-1u');
    expect(red.messages.map((m) => m.msgType)).toEqual(['Alert', 'Update']);
    // Cancel by a reference to the Update (any message of the thread finds it).
    const cancel = await post(
      rain({ identifier: 'thread-1c', msgType: 'Cancel', references: ref('thread-1u') }),
    );
    expect(cancel.status).toBe(202);
    await until(async () => !(await active()).some((w) => w.id === first.body.id));
    await waitForPipelineIdle(s);
    const evs = (await eventsAfter(seq)).filter(
      (e) => e.type.startsWith('warning.') && e.data.id === first.body.id,
    );
    expect(evs.map((e) => e.type)).toEqual(['warning.issued', 'warning.updated', 'warning.cancelled']);
    // The record: the thread's latest version, and each of its messages as received.
    await waitForProjection(s, await s.container.store.headSeq());
    const db = s.container.history.db;
    const row = await db
      .selectFrom('warnings')
      .selectAll()
      .where('id', '=', first.body.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('cancelled');
    const msgs = await db
      .selectFrom('warning_messages')
      .selectAll()
      .where('warning_id', '=', first.body.id)
      .orderBy('seq')
      .execute();
    expect(msgs.map((m) => m.identifier).sort()).toEqual(['thread-1', 'thread-1c', 'thread-1u']);
    expect(parseCap(new Uint8Array(msgs[0].raw)).ok).toBe(true);
    const xml = await duty.get(`/api/v1/warnings/${first.body.id}.xml`);
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/^application\/cap\+xml/);
  });

  it('answers 409 to a reference to an unknown alert, writing nothing', async () => {
    const seq = await s.container.store.headSeq();
    const r = await post(rain({ identifier: 'orphan-u', msgType: 'Update', references: ref('never-sent') }));
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('unknown_reference');
    expect(await s.container.store.headSeq()).toBe(seq);
  });

  it('expires by its delayed job at a short expires', async () => {
    const seq = await s.container.store.headSeq();
    const r = await post(rain({ identifier: 'short-1', expiresInMs: 1500 }));
    expect(r.status).toBe(202);
    const ev = await until(async () =>
      (await eventsAfter(seq)).find((e) => e.type === 'warning.expired' && e.data.id === r.body.id),
    );
    expect((ev.data as Warning).state).toBe('expired');
    expect((await active()).some((w) => w.id === r.body.id)).toBe(false);
  });

  it('the snapshot carries the active warnings', async () => {
    const r = await post(rain({ identifier: 'snap-1' }));
    await until(async () => (await active()).find((w) => w.id === r.body.id));
    const snap = (await duty.get('/api/v1/snapshot')).body as { warnings: Warning[] };
    expect(snap.warnings.some((w) => w.id === r.body.id)).toBe(true);
  });

  it('CAP out of a warning and of an incident parses back with no problem and is schema-valid', async () => {
    const r = await post(rain({ identifier: 'out-1' }));
    await until(async () => (await active()).find((w) => w.id === r.body.id));
    const w = await duty.get(`/api/v1/warnings/${r.body.id}.xml`);
    const inc = await reportIncident(s.url, duty, { category: 'fire' });
    const i = await duty.get(`/api/v1/incidents/${inc.id}/cap.xml`);
    expect(i.status).toBe(200);
    for (const xml of [w.body as string, i.body as string]) {
      const back = parseCap(xml);
      expect(back.ok ? [] : back.problems).toEqual([]);
      expect(xmllint(xml)).toBe('ok');
      expect(xmllint(xml, '--schema', CAP_XSD)).toBe('ok');
    }
    expect((await duty.get('/api/v1/incidents/INC-nope/cap.xml')).status).toBe(404);
  });
});

function readBytes(name: string): Uint8Array {
  // The bytes as published (one fixture is ISO-8859-1): the parser decodes them.
  return new Uint8Array(readFileSync(new URL(name, FIXTURES_DIR)));
}
