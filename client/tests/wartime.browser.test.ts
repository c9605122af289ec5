/**
 * Peacetime ⇄ wartime in a real browser against a real server: a commander activates a plan on
 * /console, a duty officer's wall turns to wartime within a second, a liaison on a phone ticks a
 * task off and moves a resource, the commander dispatches and stands down, the wall returns to
 * peacetime, and the after-action record opens. A duty officer's console offers none of the
 * commander's controls.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { INTAKE, launchChromium, ROOT, SHOTS } from './browser.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const dialogs: string[] = [];

let commander: Page;
let wall: Page;
let field: Page;
let incidentId = '';
let operationId = '';
const TITLE = `燃气管道破裂 ${Date.now()}`;
const WHERE = { lng: 116.3121, lat: 39.9702 };

async function open(
  username: string,
  target: string,
  opts: { width: number; height: number; mobile?: boolean },
): Promise<Page> {
  const ctx = await browser.newContext({
    viewport: { width: opts.width, height: opts.height },
    locale: 'zh-CN',
    ...(opts.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  contexts.push(ctx);
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(`${username}: ${e.message}`));
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await p.goto(`${server.url}${target}`);
  await p.waitForSelector('[data-testid=login]');
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', 'pingzhan');
  await p.click('button[type=submit]');
  await p.waitForFunction(() => window.__pzLive?.status.state === 'live', null, { timeout: 20_000 });
  return p;
}

const waitForMap = (p: Page) =>
  p.waitForFunction(() => window.__pzMap?.getLayer('pz-cordon-fill') !== undefined, null, {
    timeout: 20_000,
  });

async function postIncident(title: string, location: { lng: number; lat: number }): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/incidents`, {
    method: 'POST',
    headers: INTAKE,
    body: JSON.stringify({
      source: 'hotline',
      externalId: `wt-${process.pid}-${title}`,
      kind: 'emergency',
      category: 'gas_leak',
      title,
      location,
      address: '学院路 35 号',
      severity: 2,
    }),
  });
  expect(res.status).toBe(202);
}

async function incidentIdIn(p: Page, title: string): Promise<string> {
  const h = await p.waitForFunction(
    (t) => window.__pzLive?.incidents.find((i) => i.title === t)?.id ?? null,
    title,
    { timeout: 15_000 },
  );
  return (await h.jsonValue()) as string;
}

async function selectInList(p: Page, title: string, id: string): Promise<void> {
  await p.fill('input[type=search]', title);
  await p.locator(`[data-testid=list] button[data-id="${id}"]`).click();
  await expect.poll(() => p.textContent('[data-testid=detail-title]')).toBe(title);
}

beforeAll(async () => {
  // mode "test": a production build that still decodes answers and frames (client/src/lib/wire.ts)
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('wartime', () => {
  it('a commander activates a plan and the wall turns to wartime within a second', async () => {
    [commander, wall] = await Promise.all([
      open('commander', '/console', { width: 1600, height: 1000 }),
      open('duty', '/wall', { width: 1600, height: 900 }),
    ]);
    await Promise.all([waitForMap(commander), waitForMap(wall)]);
    expect(await wall.locator('[data-testid=war-banner]').count()).toBe(0);
    expect(await wall.evaluate(() => document.documentElement.dataset.mode)).toBe('peacetime');

    await postIncident(TITLE, WHERE);
    incidentId = await incidentIdIn(commander, TITLE);
    await selectInList(commander, TITLE, incidentId);

    // the fitting plans, best first: the gas-leak plan leads
    const first = commander.locator('[data-testid=plans] [data-testid=plan]').first();
    await first.waitFor({ timeout: 10_000 });
    expect(await first.getAttribute('data-id')).toBe('plan-gas-leak');

    // the wall notes the moment its banner appears
    await wall.evaluate(() => {
      const w = window as unknown as { __warAt?: number };
      const obs = new MutationObserver(() => {
        if (!w.__warAt && document.querySelector('[data-testid=war-banner]')) {
          w.__warAt = Date.now();
          obs.disconnect();
        }
      });
      obs.observe(document.body, { childList: true, subtree: true });
    });
    await first.locator('[data-testid=activate]').click();

    await wall.waitForSelector('[data-testid=war-banner]', { timeout: 5_000 });
    const bannerAt = await wall.evaluate(() => (window as unknown as { __warAt?: number }).__warAt ?? 0);
    // the mode.changed event's own time, as the log holds it
    const modeAt = await wall.evaluate(async () => {
      const r = await fetch('/api/v1/snapshot');
      const s = (await r.json()) as { mode: { state: string; since: string } };
      return { state: s.mode.state, since: Date.parse(s.mode.since) };
    });
    expect(modeAt.state).toBe('wartime');
    expect(bannerAt - modeAt.since).toBeLessThan(1000);

    operationId = await commander.evaluate(
      (id) => window.__pzLive!.operations.find((o) => o.incidentId === id && o.status === 'active')!.id,
      incidentId,
    );
    // the whole page changed colour; the banner names the operation and its level and ticks
    expect(await wall.evaluate(() => document.documentElement.dataset.mode)).toBe('wartime');
    const banner = wall.locator('[data-testid=war-banner]');
    await expect.poll(() => banner.textContent()).toContain(TITLE);
    expect(await banner.textContent()).toContain('Ⅲ级响应');
    // It ticks: wait for the elapsed time to change (on a loaded machine a second's tick may be late).
    const t1 = await wall.textContent('[data-testid=war-elapsed]');
    await wall.waitForFunction(
      (before) => document.querySelector('[data-testid=war-elapsed]')?.textContent !== before,
      t1,
      { timeout: 10_000 },
    );

    // the wall's board lists the plan's tasks with countdowns
    await wall.waitForSelector('[data-testid=war-side] [data-testid=task]');
    expect(await wall.locator('[data-testid=war-side] [data-testid=task]').count()).toBe(7);
    expect(await wall.locator('[data-testid=war-side] [data-testid=countdown]').count()).toBeGreaterThan(0);

    // the map frames the incident and draws its cordon; other incidents are quieter
    await wall.waitForFunction(() => !window.__pzMap!.isMoving(), null, { timeout: 10_000 });
    const view = await wall.evaluate(() => ({
      center: window.__pzMap!.getCenter().toArray(),
      zoom: window.__pzMap!.getZoom(),
      cordons: window.__pzMap!.queryRenderedFeatures(undefined, { layers: ['pz-cordon-fill'] }).length,
    }));
    expect(Math.abs(view.center[0] - WHERE.lng)).toBeLessThan(0.005);
    expect(Math.abs(view.center[1] - WHERE.lat)).toBeLessThan(0.005);
    expect(view.zoom).toBeGreaterThan(13);
    expect(view.cordons).toBeGreaterThan(0);
  });

  it('a liaison on a phone marks a task done and the commander sees it', async () => {
    field = await open('liaison', '/field', { width: 390, height: 844, mobile: true });
    await field.waitForSelector(`[data-testid=field-op][data-id="${operationId}"]`, { timeout: 10_000 });
    // nothing wider than the phone
    const overflow = await field.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    const task = field.locator('[data-testid=task][data-id="gas-3"]');
    await task.locator('button[data-action=done]').tap();
    await expect.poll(() => task.getAttribute('data-column'), { timeout: 5_000 }).toBe('done');
    const onBoard = commander.locator(`[data-testid=operation] [data-testid=task][data-id="gas-3"]`);
    await expect.poll(() => onBoard.getAttribute('data-column'), { timeout: 5_000 }).toBe('done');
    await expect
      .poll(() =>
        wall
          .locator('[data-testid=war-side] [data-testid=task][data-id="gas-3"]')
          .getAttribute('data-column'),
      )
      .toBe('done');
  });

  it('the commander dispatches a proposed resource and the liaison moves it on', async () => {
    const proposal = commander.locator('[data-testid=proposal]').first();
    const resourceId = (await proposal.getAttribute('data-id'))!;
    await proposal.locator('[data-testid=dispatch]').click();
    await expect
      .poll(() => proposal.locator('[data-testid=proposal-status]').textContent(), { timeout: 5_000 })
      .toBe('已派遣');
    const onCommander = commander.locator(`[data-testid=op-resource][data-id="${resourceId}"]`);
    await expect.poll(() => onCommander.getAttribute('data-status')).toBe('dispatched');

    // the liaison's phone shows it, with the next statuses as buttons
    const onField = field.locator(`[data-testid=op-resource][data-id="${resourceId}"]`);
    await onField.waitFor({ timeout: 5_000 });
    await onField.locator('button[data-action=en_route]').tap();
    await expect.poll(() => onCommander.getAttribute('data-status'), { timeout: 5_000 }).toBe('en_route');
    await expect
      .poll(() =>
        wall.locator(`[data-testid=op-resource][data-id="${resourceId}"]`).getAttribute('data-status'),
      )
      .toBe('en_route');

    // a field report reaches the commander's timeline
    await field.fill('[data-testid=report-form] textarea', '警戒区已拉设，<b>居民</b>正在疏散');
    await field.locator('[data-testid=report-form] button[type=submit]').tap();
    await expect
      .poll(() => commander.textContent('[data-testid=operation] [data-testid=report-timeline]'), {
        timeout: 5_000,
      })
      .toContain('<b>居民</b>');
    expect(await commander.locator('[data-testid=report-timeline] b').count()).toBe(0);

    await field.evaluate(() => document.querySelector('[data-testid=field]')!.scrollTo(0, 0));
    await field.waitForTimeout(300);
    await field.screenshot({ path: path.join(SHOTS, 'field.png') });
    await commander.screenshot({ path: path.join(SHOTS, 'wartime-console.png') });
    // the severity II alarm of the gas leak was seen: acknowledge it, then picture the wall
    const ack = wall.locator('[data-testid=alarm] button.ack');
    if (await ack.count()) await ack.first().click();
    await wall.waitForTimeout(500);
    await wall.screenshot({ path: path.join(SHOTS, 'wartime-wall.png') });
  });

  it("a duty officer's console offers no activate, dispatch or mode controls", async () => {
    const duty = await open('duty', '/console', { width: 1400, height: 900 });
    await duty.waitForSelector('[data-testid=console]');
    expect(await duty.locator('[data-testid=mode-switch]').count()).toBe(0);
    // the incident under the operation: its panel without dispatch or stand-down
    await selectInList(duty, TITLE, incidentId);
    await duty.waitForSelector('[data-testid=operation]');
    expect(await duty.locator('[data-testid=dispatch]').count()).toBe(0);
    expect(await duty.locator('[data-testid=stand-down]').count()).toBe(0);
    expect(await duty.locator('[data-testid=operation] [data-testid=task] button').count()).toBe(0);
    // another gas leak: the plans are listed, without an activate button
    const other = `燃气异味 ${Date.now()}`;
    await postIncident(other, { lng: 116.2721, lat: 39.9402 });
    const otherId = await incidentIdIn(duty, other);
    await selectInList(duty, other, otherId);
    await duty.locator('[data-testid=plans] [data-testid=plan]').first().waitFor({ timeout: 10_000 });
    expect(await duty.locator('[data-testid=activate]').count()).toBe(0);
    // but the case lifecycle is theirs
    expect(await duty.locator('[data-testid=case-next]').count()).toBe(1);
    // and the API refuses what the UI hides
    const refused = await duty.evaluate(async (id) => {
      const post = (url: string, body: unknown) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.status);
      return [
        await post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: id }),
        await post('/api/v1/mode', { state: 'peacetime', reason: 'test' }),
      ];
    }, otherId);
    expect(refused).toEqual([403, 403]);
    await duty.context().close();
  });

  it('stand-down returns the wall to peacetime and the after-action record opens', async () => {
    await commander.locator('[data-testid=stand-down]').click();
    await commander.fill('form.stand textarea', '泄漏点已封堵，恢复供气。');
    await commander.locator('[data-testid=confirm-stand-down]').click();
    await wall.waitForSelector('[data-testid=war-banner]', { state: 'detached', timeout: 5_000 });
    await expect.poll(() => wall.evaluate(() => document.documentElement.dataset.mode)).toBe('peacetime');
    expect(await wall.locator('[data-testid=war-side]').count()).toBe(0);
    await field.waitForSelector('[data-testid=field-none]', { timeout: 5_000 });
    // the released unit drives home; the liaison books it in on arrival
    const back = field.locator('[data-testid=field-returning] li').first();
    await back.waitFor({ timeout: 5_000 });
    const backId = (await back.getAttribute('data-id'))!;
    await back.locator('button').tap();
    await expect
      .poll(() => commander.evaluate((id) => window.__pzLive!.getResource(id)?.status, backId), {
        timeout: 5_000,
      })
      .toBe('available');

    const op = commander.locator(`[data-testid=operation][data-id="${operationId}"]`);
    await expect.poll(() => op.getAttribute('data-status'), { timeout: 5_000 }).toBe('stood_down');
    await op.locator('[data-testid=open-after-action]').click();
    const aar = commander.locator('[data-testid=after-action]');
    await aar.locator('[data-testid=aar-timeline] li').first().waitFor({ timeout: 10_000 });
    // one task done on time (gas-3), six not done; the dispatched resource is listed
    expect(await aar.locator('[data-testid=aar-tasks] tbody tr').count()).toBe(7);
    expect(await aar.locator('[data-testid=aar-resources] tbody tr').count()).toBe(1);
    const record = await commander.evaluate(
      (id) => fetch(`/api/v1/operations/${id}/after-action`).then((r) => r.json()),
      operationId,
    );
    expect(record.tasks.onTime).toBe(1);
    expect(await aar.locator('[data-testid=aar-timeline] li').count()).toBe(record.timeline.length);
    await commander.waitForTimeout(300);
    await commander.screenshot({ path: path.join(SHOTS, 'after-action.png') });
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('the audit trail lists the commands with their actors; a duty officer is told it is not theirs', async () => {
    const audit = await open('commander', '/audit', { width: 1600, height: 900 });
    await audit.waitForURL('**/audit');
    await audit.locator('[data-testid=audit-row]').first().waitFor({ timeout: 10_000 });
    await audit.selectOption('select[name=type]', 'operation.activated');
    await audit.locator('form.filters button[type=submit]').click();
    await expect
      .poll(async () => audit.locator('[data-testid=audit-row]').allTextContents(), { timeout: 5_000 })
      .toEqual([expect.stringContaining('指挥长 李强')]);
    expect(await audit.locator('[data-testid=audit-row]').first().textContent()).toContain(operationId);
    // People by display name, the account behind it on hover; the filter takes the account.
    expect(await audit.locator('[data-testid=audit-actor]').first().getAttribute('title')).toBe('commander');
    await audit.fill('input[name=actor]', 'commander');
    await audit.locator('form.filters button[type=submit]').click();
    await expect
      .poll(async () => audit.locator('[data-testid=audit-actor]').allTextContents(), { timeout: 5_000 })
      .toEqual(['指挥长 李强']);
    const duty = await open('duty', '/audit', { width: 1280, height: 800 });
    await duty.waitForSelector('[data-testid=message]', { timeout: 10_000 });
    expect(await duty.locator('[data-testid=audit]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
