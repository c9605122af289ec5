/**
 * Peacetime case handling in a real browser against a real server (issue 11): the department
 * works its inbox on a phone, the duty officer watches a case go overdue on the wall, the admin
 * changes a time limit in the rules editor and a new case gets it. No sleeps: every wait is on
 * the DOM, the live store or the API.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { login as apiLogin, startTestServer, type TestServer } from '../../server/testing/harness.ts';
import type { CaseRules } from '../../shared/case-rules.ts';
import type { Incident } from '../../shared/index.ts';
import { INTAKE, launchChromium, ROOT, SHOTS } from './browser.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const wireErrors: string[] = [];
let n = 0;

type Answer = { status: number; body: any };

async function call(cookie: string, method: string, p: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server.url}/api/v1${p}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Polls the API until `fn` answers something truthy (the API, not the clock, is the proof). */
async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A distinct point in the district for each case (same-category reports within 300 m merge). */
function spot(): { lng: number; lat: number } {
  const k = n++;
  return { lng: 116.27 + (k % 6) * 0.008, lat: 39.93 + Math.floor(k / 6) * 0.008 };
}

/** Posts a case through intake and waits until the pipeline has accepted it (its first step runs). */
async function postCase(cookie: string, body: Record<string, unknown>): Promise<Incident> {
  const res = await fetch(`${server.url}/api/v1/incidents`, {
    method: 'POST',
    headers: INTAKE,
    body: JSON.stringify({
      source: 'hotline',
      externalId: `pt-${process.pid}-${n}`,
      kind: 'case',
      category: 'other',
      location: spot(),
      address: '万寿路 1 号',
      ...body,
    }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  return until(async () => {
    const r = await call(cookie, 'GET', `/cases/${id}`);
    return r.status === 200 && r.body.steps.length > 0 ? (r.body as Incident) : null;
  });
}

async function open(
  username: string,
  target: string,
  viewport: { width: number; height: number },
  mobile = false,
): Promise<Page> {
  const ctx = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    ...(mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  contexts.push(ctx);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('[pingzhan]')) wireErrors.push(m.text());
  });
  await p.goto(`${server.url}${target}`);
  await p.waitForSelector('[data-testid=login]');
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', 'pingzhan');
  await p.click('button[type=submit]');
  await p.waitForFunction(() => window.__pzLive?.status.state === 'live', null, { timeout: 20_000 });
  return p;
}

let admin = '';
let wall: Page | null = null;
let duty = '';

/** Saves the rules with `change` applied to the current version, as the admin. */
async function changeRules(change: (r: CaseRules) => void): Promise<CaseRules> {
  const cur = (await call(admin, 'GET', '/case-rules')).body as CaseRules;
  change(cur);
  const { routing, limits, calendar, weights, version } = cur;
  const r = await call(admin, 'PUT', '/case-rules', { version, routing, limits, calendar, weights });
  expect(r.status).toBe(200);
  return r.body as CaseRules;
}

beforeAll(async () => {
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  browser = await launchChromium();
  admin = await apiLogin(server.url, 'admin');
  duty = await apiLogin(server.url, 'duty');
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('peacetime', () => {
  it('the department works its inbox on a 375×667 screen: handle → the case shows handled', async () => {
    const deptCookie = await apiLogin(server.url, 'department');
    const me = (await call(deptCookie, 'GET', '/auth/me')).body.user as { departmentId: string };
    expect(me.departmentId).toBeTruthy();
    const c = await postCase(duty, { title: `井盖缺失 ${Date.now()}`, category: 'infrastructure' });
    expect((await call(duty, 'POST', `/cases/${c.id}/actions`, { action: 'verify' })).status).toBe(200);
    const dispatched = await call(duty, 'POST', `/cases/${c.id}/actions`, {
      action: 'dispatch',
      departmentId: me.departmentId,
    });
    expect(dispatched.status).toBe(200);

    const p = await open('department', '/', { width: 375, height: 667 }, true);
    await p.waitForURL(/\/inbox$/);
    const item = p.locator(`[data-testid=inbox-todo] button[data-id="${c.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    // the due time of the running step is on the card
    await expect(item.textContent()).resolves.toContain(c.title);
    await item.click();
    await p.waitForSelector('[data-testid=case-detail] [data-testid=step-timeline]');
    // a department sees only what it may do: handle and extend
    const actions = await p
      .locator('[data-testid=case-actions] .buttons button')
      .evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.action));
    expect(actions.sort()).toEqual(['extend', 'handle']);
    // buttons a thumb can hit, and nothing wider than the phone
    const box = await p.locator('button[data-action=handle]').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await p.click('button[data-action=handle]');
    // an empty note is refused by the shared schema, in the form, before anything is sent
    await p.click('[data-testid=action-submit]');
    await p.waitForSelector('[data-testid=action-form] .issue[data-field=note]');
    await p.fill('[data-testid=action-form] textarea[name=note]', '已更换井盖，现场恢复通行');
    await p.screenshot({ path: path.join(SHOTS, 'inbox.png') });
    await p.click('[data-testid=action-submit]');
    await p.waitForSelector('[data-testid=case-status][data-status=handled]', { timeout: 15_000 });
    const after = (await call(duty, 'GET', `/cases/${c.id}`)).body as Incident;
    expect(after.status).toBe('handled');
    expect(after.steps.find((s) => s.step === 'handle')?.finishedAt).toBeTruthy();
    // back in the inbox, the case has left the to-do list for the handled one
    await p.click('button.back');
    await p.waitForSelector(`[data-testid=inbox-done] button[data-id="${c.id}"]`);
    await p.context().close();
  });

  it('the duty officer sees a case go overdue on the wall', async () => {
    // a 6-second verification limit for "other" (PUT /api/v1/case-rules)
    await changeRules((r) => {
      const l = r.limits.find((x) => x.category === 'other' && x.step === 'verify')!;
      l.amount = 0.1;
      l.unit = 'minutes';
    });
    const p = await open('duty', '/wall', { width: 1920, height: 1080 });
    await p.waitForSelector('[data-testid=peace-figures]');
    await p.waitForSelector('[data-testid=trend-chart] canvas', { timeout: 20_000 });
    const c = await postCase(duty, { title: `占道经营 ${Date.now()}`, category: 'other' });
    // the server's case.overdue event reached the wall's live state …
    await p.waitForFunction((id) => window.__pzLive?.getIncident(id)?.steps.at(-1)?.overdue === true, c.id, {
      timeout: 30_000,
    });
    // … and the wall lists the case as overdue
    await p.waitForSelector(`[data-testid=urgent-cases] li[data-id="${c.id}"][data-state=overdue]`, {
      timeout: 10_000,
    });
    await p.waitForFunction(
      () => Number(document.querySelector('[data-testid=overdue-count]')?.textContent?.match(/\d+/)?.[0]) > 0,
    );
    // the density layer is on the map
    expect(await p.evaluate(() => window.__pzMap?.getLayer('pz-density')?.type)).toBe('heatmap');
    await p.screenshot({ path: path.join(SHOTS, 'peacetime-wall.png') });
    wall = p;
  });

  it("the wall's KPI figures (GET /api/v1/kpis) are refreshed by the case events", async () => {
    const p = wall!;
    await p.waitForFunction(
      () => Number(document.querySelector('[data-testid=kpi-today-accepted]')?.textContent) >= 1,
      null,
      { timeout: 15_000 },
    );
    await p.waitForFunction(
      () => document.querySelectorAll('[data-testid=rank-streets] tbody tr[data-key]').length > 0,
    );
    await p.screenshot({ path: path.join(SHOTS, 'peacetime-wall.png') });
    await p.context().close();
  });

  it('the admin changes a time limit in the editor, sees the diff, saves, and a new case gets it', async () => {
    const p = await open('admin', '/rules', { width: 1600, height: 1000 });
    await p.waitForSelector('[data-testid=rules-editor] [data-testid=rules-version]');
    const before = (await call(admin, 'GET', '/case-rules')).body as CaseRules;
    const cell = p.locator('td[data-limit="public_order|verify"]');
    // a bad value is named beside its field and saving is not offered
    await cell.locator('input[type=number]').fill('0');
    await cell.locator('.issue').waitFor();
    expect(await p.locator('[data-testid=rules-review]').isDisabled()).toBe(true);
    await cell.locator('input[type=number]').fill('7');
    await cell.locator('select').selectOption('hours');
    await p.click('[data-testid=rules-review]');
    const diff = p.locator('[data-testid=rules-diff] li[data-kind=limit]');
    await diff.waitFor();
    await p.screenshot({ path: path.join(SHOTS, 'rules-editor.png') });
    expect(await diff.count()).toBe(1);
    expect(await diff.textContent()).toContain('7');
    await p.click('[data-testid=rules-save]');
    await p.waitForSelector('[data-testid=rules-saved]');
    const after = (await call(admin, 'GET', '/case-rules')).body as CaseRules;
    expect(after.version).toBe(before.version + 1);
    expect(after.limits.find((l) => l.category === 'public_order' && l.step === 'verify')).toMatchObject({
      amount: 7,
      unit: 'hours',
    });

    // a case accepted now runs on the new version: its verification is due 7 calendar hours on
    const c = await postCase(duty, { title: `夜间施工扰民 ${Date.now()}`, category: 'public_order' });
    expect(c.rulesVersion).toBe(after.version);
    const v = c.steps[0];
    expect(v.step).toBe('verify');
    expect(Date.parse(v.dueAt) - Date.parse(v.startedAt)).toBe(7 * 3_600_000);

    // and the board shows that due time on its step
    const board = await open('duty', '/cases', { width: 1600, height: 1000 });
    const item = board.locator(`[data-testid=case-list] button[data-id="${c.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    await item.click();
    const due = board.locator('[data-testid=case-detail] [data-testid=step] [data-testid=step-due]').first();
    expect(await due.getAttribute('datetime')).toBe(v.dueAt);
    await board.screenshot({ path: path.join(SHOTS, 'case-board.png') });

    // someone saving first: the editor's next save is refused with 409 and says so
    await changeRules((r) => {
      r.weights = { ...r.weights, rework: r.weights.rework === 10 ? 11 : 10 };
    });
    await cell.locator('input[type=number]').fill('8');
    await p.click('[data-testid=rules-review]');
    await p.click('[data-testid=rules-save]');
    await p.waitForSelector('[data-testid=rules-conflict]');
  });

  it('the duty officer makes a custom report and downloads it in both languages', async () => {
    const p = await open('duty', '/reports', { width: 1400, height: 900 });
    await p.waitForSelector('[data-testid=report-form]');
    // to before from: the shared schema's message, nothing sent
    await p.fill('input[name=from]', '2026-12-01T10:00');
    await p.fill('input[name=to]', '2026-12-01T08:00');
    await p.click('[data-testid=report-form] button[type=submit]');
    await p.waitForSelector('[data-testid=report-form] .issue');
    await p.fill('input[name=from]', '2026-11-01T00:00');
    await p.fill('input[name=to]', '2026-12-31T00:00');
    await p.click('[data-testid=report-form] button[type=submit]');
    const row = p.locator('[data-testid=report-list] tr.fresh');
    await row.waitFor({ timeout: 20_000 });
    const links = await row.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toHaveLength(5);
    for (const href of links) {
      const res = await fetch(href, { headers: { cookie: duty } });
      expect(res.status, href).toBe(200);
    }
    expect(links.some((h) => h.endsWith('.html?lang=en'))).toBe(true);
    expect(links.some((h) => h.endsWith('.csv?lang=zh'))).toBe(true);
    await p.context().close();
  });

  it("a sub-centre's home is its wall, with its own figures and its street's board", async () => {
    const sub = await apiLogin(server.url, 'subcentre');
    const me = (await call(sub, 'GET', '/auth/me')).body.user as { streetId: string };
    const p = await open('subcentre', '/', { width: 1600, height: 1000 });
    await p.waitForURL(/\/wall$/);
    await p.waitForSelector('[data-testid=peace-figures]');
    // its KPI rows are its own street's (the server scopes them)
    await p.waitForFunction(
      () => document.querySelector('[data-testid=kpi-month-accepted]')?.textContent !== undefined,
    );
    const nav = await p
      .locator('.app-header nav a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(nav).toContain('/cases');
    expect(nav).not.toContain('/rules');
    await p.click('.app-header nav a[href="/cases"]');
    await p.waitForSelector('[data-testid=case-board]');
    // no street filter: the board is its street's; every case listed is in it
    expect(await p.locator('[data-testid=filter-street]').count()).toBe(0);
    const streets = await p.evaluate(() => [...new Set(window.__pzLive!.incidents.map((i) => i.streetId))]);
    expect(streets.every((s) => s === me.streetId)).toBe(true);
    await p.context().close();
  });

  it('raised no page errors and no schema mismatches', () => {
    expect(pageErrors).toEqual([]);
    expect(wireErrors).toEqual([]);
  });
});
