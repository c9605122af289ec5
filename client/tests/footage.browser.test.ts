/**
 * Footage retrieval for the police (调取录像) in a real browser against a real server: the duty
 * officer records a request, the commander (on a console of their own) sees it arrive live and
 * approves it, the duty officer sees the approval live and completes it with the hours, and both
 * show the period's totals as the API counts them. A liaison sees the list but no button. No
 * sleeps: every wait is on the DOM or the API.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import type { FootageList } from '../../shared/footage.ts';
import { login as apiLogin, startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { launchChromium, ROOT } from './browser.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const wireErrors: string[] = [];

async function open(username: string, target: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
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
  await p.waitForSelector('[data-testid=footage]');
  return p;
}

beforeAll(async () => {
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('footage retrieval', () => {
  it('duty requests → the commander approves → duty completes, live on both, with the totals shown', async () => {
    const cams = server.container.cameras.slice(0, 2);
    const commander = await open('commander', '/footage');
    const duty = await open('duty', '/footage');
    // the commander records nothing and completes nothing: no form
    expect(await commander.locator('[data-testid=footage-form]').count()).toBe(0);

    await duty.selectOption(
      'select[name=cameraIds]',
      cams.map((c) => c.id),
    );
    await duty.fill('input[name=from]', '2026-11-29T08:00');
    await duty.fill('input[name=to]', '2026-11-29T10:30');
    await duty.fill('input[name=requester]', '海淀分局刑侦支队 王警官');
    await duty.fill('input[name=caseRef]', '京公海刑字〔2026〕1234号');
    await duty.fill('textarea[name=reason]', '<script>盗窃案</script>');
    await duty.click('[data-testid=footage-form] button[type=submit]');
    const dutyRow = duty.locator('[data-testid=footage-list] tr[data-status]');
    await dutyRow.first().waitFor();
    const id = await dutyRow.first().getAttribute('data-id');
    expect(id).toBeTruthy();
    // the duty officer cannot decide: no approve/deny buttons on their row
    expect(await duty.locator(`tr[data-id="${id}"] button[data-action]`).count()).toBe(0);

    // the commander's console shows it without a reload, user text as text
    const cmdRow = commander.locator(`tr[data-id="${id}"][data-status=requested]`);
    await cmdRow.waitFor();
    await expect(cmdRow.textContent()).resolves.toContain('<script>盗窃案</script>');
    await expect(cmdRow.textContent()).resolves.toContain(cams[0].name);
    await cmdRow.locator('input[name=note]').fill('同意调取');
    await cmdRow.locator('button[data-action=approve]').click();
    await commander.locator(`tr[data-id="${id}"][data-status=approved]`).waitFor();

    // the duty officer sees the approval live and completes it with the hours
    const approved = duty.locator(`tr[data-id="${id}"][data-status=approved]`);
    await approved.waitFor();
    await expect(approved.textContent()).resolves.toContain('同意调取');
    await approved.locator('input[name=hours]').fill('2.75');
    await approved.locator('button[data-action=complete]').click();
    await duty.locator(`tr[data-id="${id}"][data-status=completed]`).waitFor();
    await commander.locator(`tr[data-id="${id}"][data-status=completed]`).waitFor();
    expect(await commander.locator(`tr[data-id="${id}"] button`).count()).toBe(0);

    // the totals on both consoles are the API's for the same period (this month)
    const from = await duty.evaluate(
      () => (document.querySelector('input[name=periodFrom]') as HTMLInputElement).value,
    );
    const to = await duty.evaluate(
      () => (document.querySelector('input[name=periodTo]') as HTMLInputElement).value,
    );
    const cookie = await apiLogin(server.url, 'liaison');
    const res = await fetch(
      `${server.url}/api/v1/footage-requests?from=${encodeURIComponent(`${from}:00+08:00`)}&to=${encodeURIComponent(`${to}:00+08:00`)}`,
      { headers: { cookie } },
    );
    const list = (await res.json()) as FootageList;
    expect(list.totals).toMatchObject({ count: 1, hours: 2.75 });
    const fmt = new Intl.NumberFormat('zh-CN');
    for (const p of [duty, commander]) {
      await p.waitForFunction(
        (want) => document.querySelector('[data-testid=footage-hours]')?.textContent === want,
        fmt.format(list.totals.hours),
      );
      await expect(p.locator('[data-testid=footage-count]').textContent()).resolves.toBe(
        fmt.format(list.totals.count),
      );
    }
  });

  it('a liaison reads the list in English and sees no button', async () => {
    const p = await open('liaison', '/footage');
    await p.locator('[data-testid=footage-list] tr[data-status=completed]').first().waitFor();
    expect(await p.locator('[data-testid=footage-form]').count()).toBe(0);
    expect(await p.locator('[data-testid=footage-list] button').count()).toBe(0);
    await p.selectOption('[data-testid=lang]', 'en');
    await p.waitForFunction(
      () => document.querySelector('.footage h2')?.textContent === 'Footage retrieval for the police',
    );
    await expect(
      p.locator('[data-testid=footage-list] tr[data-status=completed]').first().textContent(),
    ).resolves.toContain('Completed');
    const nav = await p
      .locator('.app-header nav a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(nav).toContain('/footage');
  });

  it('raised no page errors and no schema mismatches', () => {
    expect(pageErrors).toEqual([]);
    expect(wireErrors).toEqual([]);
  });
});
