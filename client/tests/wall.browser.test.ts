/**
 * The wall and the console in a real browser (Debian's chromium through playwright-core) against
 * a real server (server/testing/harness.ts: own Redis, demo data, pipeline worker, built client).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { LIVE_NAMESPACE } from '../../shared/protocol.ts';
import { INTAKE, launchChromium, ROOT, SHOTS } from './browser.ts';

/**
 * A distinct point inside the demo district (Haidian, around Zhongguancun) for each post: the
 * pipeline merges same-category reports within 300 m, and these tests need separate incidents.
 */
function spot(k: number): { lng: number; lat: number } {
  return { lng: 116.28 + (k % 8) * 0.006, lat: 39.95 + Math.floor(k / 8) * 0.006 };
}

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const pageErrors: string[] = [];
/** What the wire checks reported (client/src/lib/wire.ts: "[pingzhan] … does not match"). */
const wireErrors: string[] = [];
let n = 0;

async function postIncident(
  body: Record<string, unknown>,
): Promise<{ id: string; location: { lng: number; lat: number } }> {
  const location = (body.location as { lng: number; lat: number } | undefined) ?? spot(n);
  const res = await fetch(`${server.url}/api/v1/incidents`, {
    method: 'POST',
    headers: INTAKE,
    body: JSON.stringify({
      source: 'browser-test',
      externalId: `bt-${process.pid}-${++n}`,
      kind: 'emergency',
      category: 'fire',
      location,
      address: '中关村大街 27 号',
      severity: 3,
      ...body,
    }),
  });
  expect(res.status).toBe(202);
  return { id: ((await res.json()) as { id: string }).id, location };
}

/** Waits until the page's live store holds the incident, then returns its id there. */
async function waitForIncidentInStore(p: Page, title: string, timeout = 15_000): Promise<string> {
  const handle = await p.waitForFunction(
    (t) => window.__pzLive?.incidents.find((i) => i.title === t)?.id ?? null,
    title,
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

async function renderedIncidentIds(p: Page, at: { lng: number; lat: number }): Promise<string[]> {
  await p.evaluate(
    ({ lng, lat }) =>
      new Promise<void>((resolve) => {
        const map = window.__pzMap!;
        map.jumpTo({ center: [lng, lat], zoom: 17 });
        setTimeout(resolve, 400);
        map.triggerRepaint();
      }),
    at,
  );
  return p.evaluate(() =>
    window
      .__pzMap!.queryRenderedFeatures(undefined, { layers: ['pz-incidents'] })
      .map((f) => String(f.properties.id)),
  );
}

function watchWire(p: Page): void {
  p.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('[pingzhan]')) wireErrors.push(m.text());
  });
}

async function login(p: Page, username: string, target: string): Promise<void> {
  await p.goto(`${server.url}${target}`);
  await p.waitForSelector('[data-testid=login]');
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', 'pingzhan');
  await p.click('button[type=submit]');
}

beforeAll(async () => {
  // the server serves dist/client: build it from the current sources
  // mode "test": a production build that still decodes answers and frames (client/src/lib/wire.ts)
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  watchWire(page);
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('wall', () => {
  it('sends a visitor to the login page, then to the wall', async () => {
    await login(page, 'duty', '/wall');
    await page.waitForSelector('[data-testid=wall]');
    expect(new URL(page.url()).pathname).toBe('/wall');
    await expect.poll(() => page.textContent('[data-testid=user]')).toContain('值班员');
    await page.waitForFunction(
      () =>
        window.__pzLive?.status.state === 'live' && window.__pzMap?.getLayer('pz-incidents') !== undefined,
      null,
      {
        timeout: 20_000,
      },
    );
    // the demo district is drawn: grid labels, cameras, resources
    const counts = await page.evaluate(() => ({
      grid: window.__pzLive!.grid?.features.length ?? 0,
      cameras: window.__pzLive!.cameras.length,
      resources: window.__pzLive!.resources.length,
    }));
    expect(counts.grid).toBeGreaterThan(100);
    expect(counts.cameras).toBeGreaterThan(0);
    expect(counts.resources).toBeGreaterThan(0);
  });

  it('shows a posted incident on the map and in the ticker', async () => {
    const title = `测试火情 ${Date.now()}`;
    const { location } = await postIncident({ title });
    const id = await waitForIncidentInStore(page, title);
    await page.waitForSelector(`[data-testid=ticker] >> text=${title}`, { timeout: 10_000 });
    await expect.poll(() => renderedIncidentIds(page, location), { timeout: 10_000 }).toContain(id);
  });

  it('raises a banner for a severity I emergency until acknowledged', async () => {
    const title = `特别重大 ${Date.now()}`;
    await postIncident({ title, severity: 1, category: 'gas_leak' });
    const banner = page.locator('[data-testid=alarm]');
    await banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => banner.textContent()).toContain(title);
    await banner.locator('button.ack').click();
    await expect.poll(() => banner.count()).toBe(0);
  });

  it('catches up after the socket is cut and comes back', async () => {
    await context.setOffline(true);
    // Cut from the server's side, as a network failure or a restart would (the client has no
    // test-only "drop" in its production build): offline, its reconnects fail until we go back.
    server.live.gateway.io.of(LIVE_NAMESPACE).disconnectSockets(true);
    await expect.poll(() => page.getAttribute('[data-testid=conn]', 'data-state')).not.toBe('live');
    const titles = [1, 2, 3].map((i) => `断线期间 ${i} ${Date.now()}`);
    for (const title of titles) await postIncident({ title, severity: 4, category: 'traffic' });
    // nothing reaches the page while it is cut off
    await new Promise((r) => setTimeout(r, 1500));
    const seen = await page.evaluate(
      (ts) => ts.filter((t) => window.__pzLive!.incidents.some((i) => i.title === t)).length,
      titles,
    );
    expect(seen).toBe(0);
    await context.setOffline(false);
    await page.evaluate(() => window.__pzLive!.feed.reconnectNow());
    for (const t of titles) await waitForIncidentInStore(page, t, 20_000);
    await expect
      .poll(() => page.getAttribute('[data-testid=conn]', 'data-state'), { timeout: 20_000 })
      .toBe('live');
    // whole: the page's state is at the server's head, with nothing held back
    const head = await server.container.store.headSeq();
    await expect
      .poll(() => page.evaluate(() => window.__pzLive!.status.seq), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(head);
    expect(await page.evaluate(() => window.__pzLive!.feed.data?.pending.size)).toBe(0);
  });

  it('shows markup in an incident title as text', async () => {
    const title = '<img src=x onerror=alert(1)>';
    await postIncident({
      title,
      severity: 3,
      description: '<script>alert(2)</script>',
      address: '<b>bold</b>',
    });
    await waitForIncidentInStore(page, title);
    const ticker = page.locator('[data-testid=ticker]');
    await expect.poll(() => ticker.textContent(), { timeout: 10_000 }).toContain(title);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('[data-testid=ticker] b').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('shows a new video alert pulsing on the map', async () => {
    const camera = await page.evaluate(() => window.__pzLive!.cameras[5]);
    const res = await fetch(`${server.url}/api/v1/video-alerts`, {
      method: 'POST',
      headers: INTAKE,
      body: JSON.stringify({
        cameraId: camera.id,
        type: 'smoke',
        confidence: 0.93,
        externalId: `va-${Date.now()}`,
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await page.waitForFunction((a) => window.__pzLive!.videoAlerts.some((v) => v.id === a), id, {
      timeout: 15_000,
    });
    await expect.poll(() => page.textContent('[data-testid=open-alerts]')).not.toBe('0');
    const pulsing = () =>
      page.evaluate(
        ({ lng, lat }) =>
          new Promise<string[]>((resolve) => {
            const map = window.__pzMap!;
            map.jumpTo({ center: [lng, lat], zoom: 16 });
            setTimeout(
              () =>
                resolve(
                  map
                    .queryRenderedFeatures(undefined, { layers: ['pz-alerts-pulse'] })
                    .map((f) => String(f.properties.id)),
                ),
              400,
            );
          }),
        camera.location,
      );
    await expect.poll(pulsing, { timeout: 10_000 }).toContain(id);
    // and a CSS-animated ring marks it
    expect(await page.locator(`.pz-pulse[data-id="${id}"]`).count()).toBe(1);
  });

  it('saves a screenshot of the whole district', async () => {
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const map = window.__pzMap!;
          let w = 180,
            s = 90,
            e = -180,
            n = -90;
          for (const f of window.__pzLive!.grid!.features) {
            if (f.properties.level !== 'district') continue;
            const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
            for (const p of polys)
              for (const [x, y] of p[0]) {
                w = Math.min(w, x);
                e = Math.max(e, x);
                s = Math.min(s, y);
                n = Math.max(n, y);
              }
          }
          map.fitBounds(
            [
              [w, s],
              [e, n],
            ],
            { padding: 20, animate: false },
          );
          setTimeout(resolve, 600);
          map.triggerRepaint();
        }),
    );
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'wall.png') });
  });

  it('switches every string to English', async () => {
    await page.selectOption('[data-testid=lang]', 'en');
    await expect.poll(() => page.textContent('[data-testid=wall]')).toContain('Live feed');
    const text = (await page.textContent('[data-testid=tiles]')) ?? '';
    expect(text).toContain('Incidents today');
    expect(text).not.toMatch(/今日|可用资源/);
    await page.selectOption('[data-testid=lang]', 'zh-CN');
  });
});

describe('console', () => {
  it('finds an incident in the list, flies there and shows its detail', async () => {
    const commander = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    const p = await commander.newPage();
    watchWire(p);
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await login(p, 'commander', '/console');
    await p.waitForSelector('[data-testid=console]');
    await p.waitForFunction(
      () =>
        window.__pzLive?.status.state === 'live' && window.__pzMap?.getLayer('pz-incidents') !== undefined,
      null,
      {
        timeout: 20_000,
      },
    );
    const title = `燃气泄漏 指挥台 ${Date.now()}`;
    const where = { lng: 116.3312, lat: 39.9868 };
    await postIncident({
      title,
      severity: 2,
      category: 'gas_leak',
      location: where,
      description: '地下管线破裂',
    });
    const id = await waitForIncidentInStore(p, title);
    await p.fill('input[type=search]', '指挥台');
    const item = p.locator(`[data-testid=list] button[data-id="${id}"]`);
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await expect.poll(() => p.textContent('[data-testid=detail-title]')).toBe(title);
    // the history: the record's (GET /incidents/:id), its first entry the intake
    await p.waitForSelector('[data-testid=history] li', { timeout: 10_000 });
    await expect.poll(() => p.textContent('[data-testid=history] li:first-child')).toContain('受理');
    expect(await p.textContent('[data-testid=detail]')).toContain('地下管线破裂');
    // the map flew to it
    await p.waitForFunction(() => !window.__pzMap!.isMoving(), null, { timeout: 10_000 });
    const center = await p.evaluate(() => window.__pzMap!.getCenter().toArray());
    expect(Math.abs(center[0] - where.lng)).toBeLessThan(0.01);
    expect(Math.abs(center[1] - where.lat)).toBeLessThan(0.01);

    // the markup incident is text here too
    await p.fill('input[type=search]', '<img');
    const xss = p.locator('[data-testid=list] button').first();
    await xss.click();
    await expect.poll(() => p.textContent('[data-testid=detail-title]')).toBe('<img src=x onerror=alert(1)>');
    expect(await p.locator('img[src="x"]').count()).toBe(0);

    await p.fill('input[type=search]', '');
    await p.locator(`[data-testid=list] button[data-id="${id}"]`).click();
    await p.waitForTimeout(1500);
    await p.screenshot({ path: path.join(SHOTS, 'console.png') });
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await commander.close();
  });
});

describe('protocol', () => {
  it('a server of another protocol stops the console with a reload banner; reload brings it back', async () => {
    const p = await context.newPage();
    // the server "was updated" while this page was open: its config announces protocol 1
    await p.route('**/api/v1/config', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...(await res.json()), protocol: 1 } });
    });
    await p.goto(`${server.url}/wall`);
    const banner = p.locator('[data-testid=protocol-banner]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.getAttribute('data-reason')).toBe('version');
    expect(await banner.textContent()).toContain('服务器已更新');
    expect(await p.getAttribute('[data-testid=conn]', 'data-state')).toBe('outdated');
    await p.unroute('**/api/v1/config');
    await p.click('[data-testid=protocol-reload]');
    await p.waitForFunction(() => window.__pzLive?.status.state === 'live', null, { timeout: 20_000 });
    expect(await banner.count()).toBe(0);
    await p.close();
  });

  it('no answer or frame failed the shared schemas during these tests', () => {
    expect(wireErrors).toEqual([]);
  });
});
