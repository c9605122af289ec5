/**
 * `/basemap/district.pmtiles` over a real server (own Redis and PostgreSQL) with the test-built
 * archive: ranges 206/416, HEAD, validators, the session, the console's config; and the `pmtiles`
 * reader's own FetchSource reading tiles through it as the browser does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FetchSource, PMTiles } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../app.ts';
import { buildDistrictBasemap, type DistrictBasemap } from '../testing/district-basemap.ts';
import { login, startTestServer, type TestServer } from '../testing/harness.ts';
import { ROOT } from '../testing/processes.ts';
import { BASEMAP_CACHE, PMTILES_TYPE } from './basemap.routes.ts';
import { BASEMAP_PATH, BasemapService } from './basemap.service.ts';

let s: TestServer;
let cookie: string;
let built: DistrictBasemap;
const dir = mkdtempSync(path.join(tmpdir(), 'pz-basemap-int-'));
const file = path.join(dir, 'district.pmtiles');

beforeAll(async () => {
  built = buildDistrictBasemap();
  writeFileSync(file, built.archive);
  s = await startTestServer({ config: { basemapPath: file } });
  cookie = await login(s.url, 'duty');
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${s.url}${BASEMAP_PATH}`, { method, headers: { cookie, ...headers } });

describe('the basemap file over HTTP', () => {
  it('the console is told a basemap exists', async () => {
    const c = (await (await fetch(`${s.url}/api/v1/config`)).json()) as { basemapUrl: string | null };
    expect(c.basemapUrl).toBe(BASEMAP_PATH);
  });

  it('a range is a 206 with Content-Range and exactly those bytes', async () => {
    const r = await get({ range: 'bytes=0-126' });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 0-126/${built.archive.length}`);
    expect(r.headers.get('content-length')).toBe('127');
    expect(r.headers.get('content-type')).toBe(PMTILES_TYPE);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('cache-control')).toBe(BASEMAP_CACHE);
    expect(r.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(r.headers.get('last-modified')).toBeTruthy();
    expect(Buffer.from(await r.arrayBuffer()).equals(built.archive.subarray(0, 127))).toBe(true);

    const mid = await get({ range: 'bytes=200-299' });
    expect(mid.status).toBe(206);
    expect(Buffer.from(await mid.arrayBuffer()).equals(built.archive.subarray(200, 300))).toBe(true);
    const tail = await get({ range: 'bytes=-5' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(built.archive.subarray(-5))).toBe(true);
  });

  it("the reader's first 16 KiB of a smaller file is a 206 of the whole file", async () => {
    expect(built.archive.length).toBeLessThan(16_384);
    const r = await get({ range: 'bytes=0-16383' });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(
      `bytes 0-${built.archive.length - 1}/${built.archive.length}`,
    );
    expect((await r.arrayBuffer()).byteLength).toBe(built.archive.length);
  });

  it('a range past the end is a 416 saying the size', async () => {
    const n = built.archive.length;
    const r = await get({ range: `bytes=${n}-${n + 10}` });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe(`bytes */${n}`);
    expect(((await r.json()) as { error: string }).error).toBe('range_not_satisfiable');
  });

  it('no Range (or several) is the whole file; HEAD gives the headers only', async () => {
    const all = await get();
    expect(all.status).toBe(200);
    expect(Buffer.from(await all.arrayBuffer()).equals(built.archive)).toBe(true);
    const multi = await get({ range: 'bytes=0-1,5-6' });
    expect(multi.status).toBe(200);
    await multi.arrayBuffer();

    const head = await get({}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(built.archive.length));
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const headRange = await get({ range: 'bytes=10-19' }, 'HEAD');
    expect(headRange.status).toBe(206);
    expect(headRange.headers.get('content-length')).toBe('10');
    expect(headRange.headers.get('content-range')).toBe(`bytes 10-19/${built.archive.length}`);
  });

  it('validators: If-None-Match → 304; If-Range with another tag → the whole file', async () => {
    const etag = (await get({ range: 'bytes=0-0' })).headers.get('etag')!;
    const same = await get({ 'if-none-match': etag });
    expect(same.status).toBe(304);
    expect(same.headers.get('etag')).toBe(etag);
    const stale = await get({ range: 'bytes=0-9', 'if-range': '"0-0"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const fresh = await get({ range: 'bytes=0-9', 'if-range': etag });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();
  });

  it('needs a session, like every map view', async () => {
    const r = await fetch(`${s.url}${BASEMAP_PATH}`, { headers: { range: 'bytes=0-9' } });
    expect(r.status).toBe(401);
    const key = await fetch(`${s.url}${BASEMAP_PATH}`, {
      headers: { authorization: 'Bearer demo-intake-key' },
    });
    expect(key.status).toBe(403);
  });

  it("the pmtiles reader's FetchSource reads every tile through the route", async () => {
    const reader = new PMTiles(new FetchSource(`${s.url}${BASEMAP_PATH}`, new Headers({ cookie })));
    const h = await reader.getHeader();
    expect(h.etag).toMatch(/^"/);
    for (const t of built.tiles) {
      const got = await reader.getZxy(t.z, t.x, t.y);
      expect(Buffer.from(got!.data).equals(Buffer.from(t.data)), `${t.z}/${t.x}/${t.y}`).toBe(true);
    }
  });

  it('without MAP_PMTILES: 404, and the config says none', async () => {
    const app = await build({ ...s.container, basemap: new BasemapService(null) });
    try {
      const r = await app.inject({ url: BASEMAP_PATH, headers: { cookie } });
      expect(r.statusCode).toBe(404);
    } finally {
      await app.close();
    }
    const bare = await startTestServer();
    try {
      const c = (await (await fetch(`${bare.url}/api/v1/config`)).json()) as { basemapUrl: string | null };
      expect(c.basemapUrl).toBeNull();
    } finally {
      await bare.close();
    }
  });

  it('`npm start` with a wrong file exits 1 with the reason, before starting anything', () => {
    const bad = path.join(dir, 'v2.pmtiles');
    const b = Buffer.from(built.archive);
    b[7] = 2;
    writeFileSync(bad, b);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, MAP_PMTILES: bad, DATA_DIR: path.join(dir, 'data'), PORT: '0' },
      encoding: 'utf8',
      timeout: 55_000,
    });
    expect(r.stderr).toMatch(/refusing to start: MAP_PMTILES=.*v2\.pmtiles is PMTiles version 2/);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toMatch(/is running/);
  });
});
