/**
 * The console's search over every case ever, in a real browser (Debian's chromium through
 * playwright-core) against a real server (server/testing/harness.ts: own Redis and PostgreSQL,
 * demo data, pipeline worker and projector, built client).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { until } from '../../server/testing/command-helpers.ts';
import { login as apiLogin, startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { INTAKE, launchChromium, ROOT } from './browser.ts';

/** A distinct point inside the demo district for each post, so that no two reports merge. */
function spot(k: number): { lng: number; lat: number } {
  return { lng: 116.28 + (k % 10) * 0.005, lat: 39.94 + Math.floor(k / 10) * 0.005 };
}

let server: TestServer;
let browser: Browser;
let page: Page;
let commander: string;
const dialogs: string[] = [];
const pageErrors: string[] = [];
let n = 0;

async function postCase(body: Record<string, unknown>): Promise<string> {
  const k = n++;
  const res = await fetch(`${server.url}/api/v1/incidents`, {
    method: 'POST',
    headers: INTAKE,
    body: JSON.stringify({
      source: 'browser-test',
      externalId: `st-${process.pid}-${k}`,
      kind: 'case',
      category: 'environment',
      location: spot(k),
      ...body,
    }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function apiGet(p: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${p}`, { headers: { cookie: commander } });
  return { status: res.status, body: await res.json() };
}

/** The ids `GET /api/v1/cases` answers for `q`, in its order. */
async function apiOrder(q: string): Promise<string[]> {
  const r = await apiGet(`/api/v1/cases?q=${encodeURIComponent(q)}&limit=200`);
  expect(r.status).toBe(200);
  return (r.body.items as { id: string }[]).map((i) => i.id);
}

const FILLER = 50;
const special = {
  old: { title: '河畔小区 路灯不亮', address: '万泉河路 8 号' },
  closed: {
    title: '河畔小区 楼道堆物',
    description: '三单元楼道堆放杂物，堵塞消防通道',
    address: '万泉河路 12 号',
  },
  // markup in user text must show as text
  markup: { title: '<img src=x onerror=alert(1)>河畔小区', address: '<b>bold</b>' },
};
const ids: Record<keyof typeof special, string> = { old: '', closed: '', markup: '' };

beforeAll(async () => {
  // the server serves dist/client: build it from the current sources
  // mode "test": a production build that still decodes answers and frames (client/src/lib/wire.ts)
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  commander = await apiLogin(server.url, 'commander');
  // filler first (oldest), then the three the search looks for
  for (let i = 0; i < FILLER; i++) await postCase({ title: `河畔巡查 ${i}`, category: 'other' });
  for (const k of ['old', 'closed', 'markup'] as const) ids[k] = await postCase(special[k]);
  // once the pipeline committed the case, close it: it leaves the open working set
  await until(async () => (await apiGet(`/api/v1/incidents/${ids.closed}`)).status === 200, 30_000);
  const res = await fetch(`${server.url}/api/v1/incidents/${ids.closed}`, {
    method: 'PATCH',
    headers: { cookie: commander, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'closed' }),
  });
  expect(res.status).toBe(200);
  // the record holds them all (projection lags the log by a moment)
  await until(async () => {
    const r = await apiGet(`/api/v1/cases?q=${encodeURIComponent('河畔')}&limit=200`);
    const items = r.body.items as { id: string; status: string }[];
    return items.length === FILLER + 3 && items.find((i) => i.id === ids.closed)?.status === 'closed';
  }, 30_000);

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('console search', () => {
  it('finds cases by a Chinese substring, the closed one included, and opens it', async () => {
    await page.goto(`${server.url}/console`);
    await page.waitForSelector('[data-testid=login]');
    await page.fill('input[name=username]', 'duty');
    await page.fill('input[name=password]', 'pingzhan');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=console]');

    await page.click('[data-testid=tab-search]');
    await page.fill('[data-testid=search-q]', '河畔小区');
    await page.click('[data-testid=search-submit]');
    const results = page.locator('[data-testid=search-results] button.item');
    await expect.poll(() => results.count(), { timeout: 15_000 }).toBe(3);
    // newest first, as the API orders them (the pipeline's workers may commit posts out of order)
    const shownIds = await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect([...shownIds].sort()).toEqual([ids.markup, ids.closed, ids.old].sort());
    expect(shownIds).toEqual(await apiOrder('河畔小区'));
    // user text as text, never markup
    const markup = page.locator(`[data-testid=search-results] button.item[data-id="${ids.markup}"]`);
    expect(await markup.locator('.title').textContent()).toBe(special.markup.title);
    expect(await markup.locator('.place').textContent()).toBe(special.markup.address);
    expect(
      await page.locator('[data-testid=search-results] img, [data-testid=search-results] b').count(),
    ).toBe(0);
    // the closed case is among them, marked closed
    const closed = page.locator(`[data-testid=search-results] button.item[data-id="${ids.closed}"]`);
    expect(await closed.locator('[data-testid=search-status]').textContent()).toBe('结案');

    // a substring of the description alone finds it too
    await page.fill('[data-testid=search-q]', '堆放杂物');
    await page.click('[data-testid=search-submit]');
    await expect
      .poll(() => results.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), {
        timeout: 15_000,
      })
      .toEqual([ids.closed]);

    // opening it shows it in the detail panel, fetched by id (it is not in the open working set)
    await results.first().click();
    const detail = page.locator('[data-testid=detail]');
    await expect
      .poll(() => detail.locator('[data-testid=detail-title]').textContent(), { timeout: 15_000 })
      .toBe(special.closed.title);
    expect(await detail.locator('.sevline .status').textContent()).toBe('结案');
    await expect.poll(() => detail.textContent()).toContain('三单元楼道堆放杂物');
  });

  it('filters by status and pages on with "more" until no older case is left', async () => {
    await page.fill('[data-testid=search-q]', '河畔');
    await page.selectOption('select[name=status]', 'closed');
    await page.click('[data-testid=search-submit]');
    const results = page.locator('[data-testid=search-results] button.item');
    await expect
      .poll(() => results.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), {
        timeout: 15_000,
      })
      .toEqual([ids.closed]);

    await page.selectOption('select[name=status]', '');
    await page.click('[data-testid=search-submit]');
    await expect.poll(() => results.count(), { timeout: 15_000 }).toBe(50);
    await page.click('[data-testid=search-more]');
    await expect.poll(() => results.count(), { timeout: 15_000 }).toBe(FILLER + 3);
    expect(await page.locator('[data-testid=search-more]').count()).toBe(0);
    // each case once, newest first (the API's order, createdAt then id)
    const shown = await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(new Set(shown).size).toBe(FILLER + 3);
    expect(shown).toEqual(await apiOrder('河畔'));
    await page.locator('.foot >> text=没有更早的案卷').waitFor();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
