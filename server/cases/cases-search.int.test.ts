import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseSearchPage } from '../../shared/case-search.ts';
import type { Incident } from '../../shared/incident.ts';
import { apiAs, loginAll, until, type Api } from '../testing/command-helpers.ts';
import { INTAKE_KEY, postAccepted, startTestServer, type TestServer } from '../testing/harness.ts';
import { caseReport } from '../testing/postgres.ts';

/**
 * `GET /api/v1/cases` end to end: intake → pipeline → Redis Stream → projector → PostgreSQL →
 * the route, on the harness's own Redis and PostgreSQL.
 */
describe('GET /api/v1/cases: search over every case ever', () => {
  let s: TestServer;
  let as: Record<'duty' | 'commander' | 'liaison' | 'admin', Api>;
  const PLAIN = 25;
  let total: number;
  let road: Incident;
  let manhole: Incident;
  let flood: Incident;

  const search = async (qs: string, who: Api = as.duty) => {
    const r = await who.get(`/api/v1/cases${qs ? `?${qs}` : ''}`);
    expect(r.status, `${qs}: ${JSON.stringify(r.body)}`).toBe(200);
    return CaseSearchPage.parse(r.body);
  };
  const titles = async (qs: string) => (await search(qs)).items.map((i) => i.title);
  const enc = encodeURIComponent;

  beforeAll(async () => {
    s = await startTestServer();
    as = await loginAll(s.url);
    const posted = async (body: Record<string, unknown>) =>
      (await postAccepted(`${s.url}/api/v1/incidents`, body)).body.id as string;
    // Chinese text in each searchable field, each case on its own spot (no merging).
    const ids = {
      road: await posted(caseReport('cs', 0, { title: '检索路面塌陷', address: '海淀区万寿路15号院' })),
      manhole: await posted(
        caseReport('cs', 1, { title: '检索井盖缺失', description: '小区门口下水道冒水，行人绕行' }),
      ),
      flood: await posted(caseReport('cs', 2, { category: 'flood', title: '检索地下通道积水' })),
    };
    for (let i = 0; i < PLAIN; i++) await posted(caseReport('cs-plain', i + 3));
    total = 3 + PLAIN;
    // The pipeline commits them: then close one, so that it leaves the working set.
    await until(async () => (await as.duty.get(`/api/v1/incidents/${ids.manhole}`)).status === 200, 30_000);
    const closed = await as.commander.patch(`/api/v1/incidents/${ids.manhole}`, { status: 'closed' });
    expect(closed.status).toBe(200);
    // Projection lags the log by a moment: wait until the record holds every case, closed one closed.
    await until(async () => {
      const page = await search('limit=200');
      return page.items.length === total && page.items.find((i) => i.id === ids.manhole)?.status === 'closed';
    }, 30_000);
    const all = (await search('limit=200')).items;
    const byId = (id: string) => all.find((i) => i.id === id)!;
    [road, manhole, flood] = [byId(ids.road), byId(ids.manhole), byId(ids.flood)];
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finds cases by a Chinese substring of the title, the address or the description', async () => {
    expect(await titles(`q=${enc('路面塌')}`)).toEqual([road.title]); // title, 3 characters
    expect(await titles(`q=${enc('万寿路15')}`)).toEqual([road.title]); // address
    expect(await titles(`q=${enc('下水道冒水')}`)).toEqual([manhole.title]); // description
    expect(await titles(`q=${enc('积水')}`)).toEqual([flood.title]); // 2 characters: no trigram, still found
    expect(await titles(`q=${enc('  井盖  ')}`)).toEqual([manhole.title]); // trimmed, as the text rules say
    expect(await titles(`q=${enc('检索')}`)).toEqual([flood.title, manhole.title, road.title]); // newest first
    expect(await titles(`q=${enc('不存在的词')}`)).toEqual([]);
    expect(await titles(`q=${enc('%')}`)).toEqual([]); // a literal %, not "anything"
  });

  it('includes closed cases, which the live working set no longer counts as open', async () => {
    const found = (await search(`q=${enc('井盖缺失')}`)).items;
    expect(found.map((i) => [i.id, i.status])).toEqual([[manhole.id, 'closed']]);
    expect((await search('status=closed')).items.map((i) => i.id)).toEqual([manhole.id]);
  });

  it('filters by status, category, street and time window, ANDed', async () => {
    const accepted = (await search('status=accepted&limit=200')).items;
    expect(accepted.length).toBe(total - 1);
    expect(accepted.every((i) => i.status === 'accepted')).toBe(true);
    // several values: comma-separated or repeated
    expect((await search('status=accepted,closed&limit=200')).items.length).toBe(total);
    expect((await search('status=accepted&status=closed&limit=200')).items.length).toBe(total);
    expect((await search('category=flood')).items.map((i) => i.id)).toEqual([flood.id]);
    expect((await search('category=flood&status=closed')).items).toEqual([]);
    expect((await search(`category=flood,other&q=${enc('检索')}`)).items.map((i) => i.id)).toEqual([
      flood.id,
      manhole.id,
      road.id,
    ]);

    // the street filter answers exactly the cases the grid placed on that street
    const all = (await search('limit=200')).items;
    const street = all.find((i) => i.streetId)?.streetId;
    expect(street, 'some case lies on a street of the grid').toBeTruthy();
    const onStreet = (await search(`streetId=${enc(street!)}&limit=200`)).items;
    expect(onStreet.map((i) => i.id)).toEqual(all.filter((i) => i.streetId === street).map((i) => i.id));
    expect((await search('streetId=no-such-street')).items).toEqual([]);

    // `from` inclusive, `to` exclusive, on createdAt: the two halves make the whole, once each
    const pivot = all[Math.floor(all.length / 2)].createdAt;
    const newer = (await search(`from=${enc(pivot)}&limit=200`)).items;
    const older = (await search(`to=${enc(pivot)}&limit=200`)).items;
    expect(newer.every((i) => i.createdAt >= pivot)).toBe(true);
    expect(older.every((i) => i.createdAt < pivot)).toBe(true);
    expect(newer.length + older.length).toBe(total);
    // an offset other than Z means the same instant
    const plus8 = new Date(Date.parse(pivot) + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    expect((await search(`to=${enc(plus8)}&limit=200`)).items.length).toBe(older.length);
  });

  it('accepts the peacetime filters and matches today what they can match (no departments, no deadlines)', async () => {
    expect((await search('departmentId=dept-urban-management')).items).toEqual([]);
    expect((await search('overdue=true')).items).toEqual([]);
    expect((await search('overdue=false&limit=200')).items.length).toBe(total);
  });

  it('pages newest first with the cursor, covering every case exactly once', async () => {
    const seen: Incident[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: CaseSearchPage = await search(`limit=4${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(total / 4));
    expect(seen.length).toBe(total);
    expect(new Set(seen.map((i) => i.id)).size).toBe(total);
    expect(seen.map((i) => i.id)).toEqual((await search('limit=200')).items.map((i) => i.id));
    const keys = seen.map((i) => `${i.createdAt} ${i.id}`);
    expect([...keys].sort().reverse()).toEqual(keys);
    // the cursor keeps the filters' order too
    const first = await search(`status=accepted&limit=10`);
    const second = await search(`status=accepted&limit=200&cursor=${enc(first.nextCursor!)}`);
    expect(first.items.length + second.items.length).toBe(total - 1);
    expect(second.nextCursor).toBeNull();
    // default page size is 50
    expect((await search('')).items.length).toBe(Math.min(50, total));
  });

  it('refuses each bad parameter with 400 naming it, never 5xx', async () => {
    const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const cases: [string, string][] = [
      ['nope=1', 'nope'],
      ['status=open', 'status'],
      ['category=volcano', 'category'],
      ['streetId=', 'streetId'],
      ['overdue=yes', 'overdue'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['from=2026-12-01T10:00:00', 'from'], // no offset
      ['to=tomorrow', 'to'],
      ['from=2026-12-01T10:00:00Z&to=2026-12-01T10:00:00Z', 'to'],
      ['q=', 'q'],
      [`q=${enc('\u200b\u200b')}`, 'q'],
      [`q=${enc('a\u0001b')}`, 'q'],
      [`q=${'燃'.repeat(101)}`, 'q'],
      ['cursor=not%20a%20cursor', 'cursor'],
      ['cursor=abc', 'cursor'],
      [`cursor=${cursorOf(['not a time', 'x'])}`, 'cursor'],
      [`cursor=${cursorOf(['1', 'x'])}`, 'cursor'], // a time to Date.parse, not to PostgreSQL
      [`cursor=${cursorOf(['2026-12-01T00:00:00.000Z', 'a\u0000b'])}`, 'cursor'], // NUL: no text to PostgreSQL
      [`cursor=${cursorOf(['2026-12-01T00:00:00.000Z', '\ud800'])}`, 'cursor'],
      [`cursor=${cursorOf({ createdAt: '2026-12-01T00:00:00.000Z' })}`, 'cursor'],
    ];
    for (const [qs, name] of cases) {
      const r = await as.duty.get(`/api/v1/cases?${qs}`);
      expect(r.status, qs).toBe(400);
      expect(r.body.error, qs).toBe('invalid_request');
      expect(
        r.body.issues.map((i: { path: string }) => i.path),
        qs,
      ).toEqual([`querystring.${name}`]);
    }
    // 100 code points (here 200 UTF-16 units) is within the limit
    expect((await as.duty.get(`/api/v1/cases?q=${enc('𠀀'.repeat(100))}`)).status).toBe(200);
  });

  it('answers every operator role, 401 without a session, and refuses an intake key', async () => {
    for (const who of Object.values(as)) expect((await who.get('/api/v1/cases?limit=1')).status).toBe(200);
    const none = await fetch(`${s.url}/api/v1/cases`);
    expect(none.status).toBe(401);
    // bad parameters without a session: still 401 (who asks is checked first)
    expect((await fetch(`${s.url}/api/v1/cases?limit=0`)).status).toBe(401);
    expect((await apiAs(s.url, 'pz_session=forged').get('/api/v1/cases')).status).toBe(401);
    const key = await fetch(`${s.url}/api/v1/cases`, { headers: { authorization: `Bearer ${INTAKE_KEY}` } });
    expect(key.status).toBe(403);
  });
});
