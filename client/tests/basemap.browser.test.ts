/**
 * The district basemap in a real browser: with the test-built PMTiles archive configured
 * (MAP_PMTILES), the console's map at zoom 16 around a scene draws the roads, places a Chinese
 * road label, and no request leaves 127.0.0.1 (no tile, glyph or sprite server anywhere).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { buildDistrictBasemap, ROADS, type DistrictBasemap } from '../../server/testing/district-basemap.ts';
import { startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { ROAD_LABEL_LAYERS, ROAD_LAYERS } from '../src/lib/map/basemap.ts';
import { INTAKE, launchChromium, ROOT, SHOTS } from './browser.ts';

let server: TestServer;
let browser: Browser;
let page: Page;
let built: DistrictBasemap;
const requests: string[] = [];
const pageErrors: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'pz-basemap-browser-'));

beforeAll(async () => {
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  built = buildDistrictBasemap();
  const file = path.join(dir, 'district.pmtiles');
  writeFileSync(file, built.archive);
  server = await startTestServer({ config: { basemapPath: file } });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
  // Every request of every page and worker of the context, whatever loads it.
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Rendered = { roads: number; labels: string[]; incidents: number; zoom: number; style: string };

describe('offline vector basemap', () => {
  it('draws the streets around the scene at zoom 16, with Chinese labels, all from this machine', async () => {
    // a gas leak at the scene, 80 m east of Zhongguancun Street
    const scene = { lng: built.centre.lng + 0.001, lat: built.centre.lat + 0.0005 };
    const res = await fetch(`${server.url}/api/v1/incidents`, {
      method: 'POST',
      headers: INTAKE,
      body: JSON.stringify({
        source: 'browser-test',
        externalId: `basemap-${process.pid}`,
        kind: 'emergency',
        category: 'gas_leak',
        title: '中关村大街燃气泄漏',
        location: scene,
        address: '中关村大街 27 号',
        severity: 2,
      }),
    });
    expect(res.status).toBe(202);

    await page.goto(`${server.url}/console`);
    await page.waitForSelector('[data-testid=login]');
    await page.fill('input[name=username]', 'commander');
    await page.fill('input[name=password]', 'pingzhan');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => !!window.__pzMap && !!window.__pzLive?.grid, null, { timeout: 30_000 });

    // Each poll frames the scene again (the console may still fit the district once the grid
    // arrives) and reads what the map has drawn: road lines, placed road labels, the incident.
    const handle = await page.waitForFunction(
      ({ scene, roadLayers, labelLayers }) => {
        const map = window.__pzMap!;
        const c = map.getCenter();
        if (Math.abs(map.getZoom() - 16) > 0.01 || Math.abs(c.lng - scene.lng) > 1e-5)
          map.jumpTo({ center: [scene.lng, scene.lat], zoom: 16 });
        if (!map.loaded()) return null;
        const roads = map.queryRenderedFeatures(undefined, { layers: roadLayers });
        const labels = map.queryRenderedFeatures(undefined, { layers: labelLayers });
        const incidents = map.queryRenderedFeatures(undefined, { layers: ['pz-incidents'] });
        if (!roads.length || !labels.length || !incidents.length) return null;
        return {
          roads: roads.length,
          labels: labels.map((f) => String(f.properties.name)),
          incidents: incidents.length,
          zoom: map.getZoom(),
          style: map.getStyle().name ?? '',
        };
      },
      { scene, roadLayers: ROAD_LAYERS, labelLayers: ROAD_LABEL_LAYERS },
      { timeout: 45_000, polling: 250 },
    );
    const r = (await handle.jsonValue()) as Rendered;
    expect(r.style).toBe('pingzhan-basemap');
    expect(r.roads).toBeGreaterThan(0);
    expect(r.incidents).toBeGreaterThan(0);
    // a label is placed (symbol features are only returned once placed), and it is a Chinese name
    const chinese = ROADS.map((x) => x.name);
    expect(r.labels.some((n) => chinese.includes(n))).toBe(true);
    expect(r.labels.every((n) => /[\u4e00-\u9fff]/.test(n))).toBe(true);

    // our layers are above the basemap's
    const order = await page.evaluate(() => window.__pzMap!.getStyle().layers.map((l) => l.id));
    expect(order.indexOf('pz-incidents')).toBeGreaterThan(order.indexOf(ROAD_LABEL_LAYERS[1]!));
    await page.screenshot({ path: path.join(SHOTS, 'basemap-z16.png') });

    // the archive was read by ranges from our own server, and nothing went anywhere else
    expect(requests.some((u) => u.endsWith('/basemap/district.pmtiles'))).toBe(true);
    const origin = new URL(server.url).origin;
    const elsewhere = requests.filter(
      (u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'),
    );
    expect(elsewhere).toEqual([]);
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(pageErrors).toEqual([]);
  });
});
