/**
 * Replay in a real browser against a real server: a commander activates a plan and stands it
 * down, opens the after-action record, follows its replay link, plays it at 60× and sees the
 * incident appear on the map and in the ticker under a REPLAY banner, then scrubs back to the
 * start. The live store is untouched throughout.
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
let ctx: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const TITLE = `燃气泄漏 回放 ${Date.now()}`;
const WHERE = { lng: 116.3021, lat: 39.9652 };

async function renderedIncidentIds(p: Page, at: { lng: number; lat: number }): Promise<string[]> {
  await p.evaluate(
    ({ lng, lat }) =>
      new Promise<void>((resolve) => {
        const map = window.__pzMap!;
        map.jumpTo({ center: [lng, lat], zoom: 17 });
        map.once('idle', () => resolve());
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

beforeAll(async () => {
  // mode "test": a production build that still decodes answers and frames (client/src/lib/wire.ts)
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await ctx?.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('replay', () => {
  let incidentId = '';
  let operationId = '';

  it('an operation is activated and stood down; its after-action record links to its replay', async () => {
    ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN' });
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/console`);
    await page.waitForSelector('[data-testid=login]');
    await page.fill('input[name=username]', 'commander');
    await page.fill('input[name=password]', 'pingzhan');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => window.__pzLive?.status.state === 'live', null, { timeout: 20_000 });

    const res = await fetch(`${server.url}/api/v1/incidents`, {
      method: 'POST',
      headers: INTAKE,
      body: JSON.stringify({
        source: 'hotline',
        externalId: `rp-${process.pid}`,
        kind: 'emergency',
        category: 'gas_leak',
        title: TITLE,
        location: WHERE,
        address: '学院路 20 号',
        severity: 2,
      }),
    });
    expect(res.status).toBe(202);
    incidentId = (await (
      await page.waitForFunction(
        (t) => window.__pzLive?.incidents.find((i) => i.title === t)?.id ?? null,
        TITLE,
        {
          timeout: 15_000,
        },
      )
    ).jsonValue()) as string;

    // Activation and stand-down as the commander's console sends them.
    operationId = await page.evaluate(async (id) => {
      const post = (url: string, body: unknown) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const op = (await (
        await post('/api/v1/operations', { planId: 'plan-gas-leak', incidentId: id })
      ).json()) as {
        id: string;
      };
      return op.id;
    }, incidentId);
    await page.waitForFunction(() => window.__pzLive?.mode.state === 'wartime', null, { timeout: 5_000 });
    const stood = await page.evaluate(
      (id) =>
        fetch(`/api/v1/operations/${id}/stand-down`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ summary: '已处置' }),
        }).then((r) => r.status),
      operationId,
    );
    expect(stood).toBe(200);
    await page.waitForFunction(() => window.__pzLive?.mode.state === 'peacetime', null, { timeout: 5_000 });

    // The record of the stand-down has reached the history store (the replay reads it).
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            const head = window.__pzLive!.status.seq;
            const r = await fetch(
              `/api/v1/replay?${new URLSearchParams({ from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString() })}`,
            );
            const body = (await r.json()) as { events: { seq: number }[] };
            return body.events.at(-1)?.seq === head;
          }),
        { timeout: 15_000 },
      )
      .toBe(true);

    // The after-action record, opened as a commander does, links to the replay.
    await page.fill('input[type=search]', TITLE);
    await page.locator(`[data-testid=list] button[data-id="${incidentId}"]`).click();
    const op = page.locator(`[data-testid=operation][data-id="${operationId}"]`);
    await expect.poll(() => op.getAttribute('data-status'), { timeout: 5_000 }).toBe('stood_down');
    await op.locator('[data-testid=open-after-action]').click();
    const link = page.locator('[data-testid=after-action] [data-testid=aar-replay]');
    await expect.poll(() => link.getAttribute('href'), { timeout: 10_000 }).toContain('from=');
    await link.click();
    await page.waitForURL('**/replay?**');
    await page.waitForSelector('[data-testid=replay-banner]');
    expect(await page.textContent('[data-testid=replay-banner]')).toContain('回放');
  });

  it('plays at 60×: the incident appears on the map and in the ticker, then scrubs back to the start', async () => {
    await page.waitForFunction(() => window.__pzReplay?.loaded === true, null, { timeout: 15_000 });
    await page.waitForFunction(() => window.__pzMap?.getLayer('pz-incidents') !== undefined, null, {
      timeout: 20_000,
    });
    // At the start (before activation): no incident yet, peacetime, nothing applied.
    const start = await page.evaluate((t) => {
      const r = window.__pzReplay!;
      return {
        t: r.t,
        from: r.from,
        has: r.incidents.some((i) => i.title === t),
        applied: r.applied,
        total: r.total,
      };
    }, TITLE);
    expect(start.t).toBe(start.from);
    expect(start.has).toBe(false);
    expect(start.applied).toBe(0);
    expect(start.total).toBeGreaterThan(5);
    expect(await page.getAttribute('[data-testid=replay]', 'data-replay-mode')).toBe('peacetime');

    await page.click('[data-testid=replay-speed-60]');
    await page.click('[data-testid=replay-play]');
    // It plays on: the incident shows in the ticker, and it plays to the end.
    await expect
      .poll(() => page.textContent('[data-testid=replay-ticker]'), { timeout: 15_000 })
      .toContain(TITLE);
    await page.waitForFunction(() => window.__pzReplay?.playing === false, null, { timeout: 30_000 });
    const end = await page.evaluate(() => ({
      t: window.__pzReplay!.t,
      to: window.__pzReplay!.to,
      applied: window.__pzReplay!.applied,
      total: window.__pzReplay!.total,
      mode: window.__pzReplay!.mode.state,
    }));
    expect(end).toMatchObject({ t: end.to, applied: end.total, mode: 'peacetime' });

    // The recorded wartime, at a moment inside the operation. (Not caught in flight: at 60× the
    // two seconds this test's operation lasted pass in 33 ms, less than one playback step.)
    await page.evaluate((id) => {
      const r = window.__pzReplay!;
      const op = r.operations.find((o) => o.id === id)!;
      r.seek((Date.parse(op.activatedAt) + Date.parse(op.stoodDownAt!)) / 2);
    }, operationId);
    await page.waitForSelector('[data-testid=replay][data-replay-mode=wartime]', { timeout: 5_000 });
    await page.evaluate(() => window.__pzReplay!.seek(window.__pzReplay!.to));
    expect(await renderedIncidentIds(page, WHERE)).toContain(incidentId);
    await page.screenshot({ path: path.join(SHOTS, 'replay.png') });

    // Scrub back to the start: the state is the recorded one at `from` again.
    const from = await page.evaluate(() => window.__pzReplay!.from);
    await page.locator('[data-testid=replay-scrubber]').fill(String(from));
    await page.waitForFunction(() => window.__pzReplay!.applied === 0, null, { timeout: 5_000 });
    expect(await page.evaluate((t) => window.__pzReplay!.incidents.some((i) => i.title === t), TITLE)).toBe(
      false,
    );
    expect(await page.textContent('[data-testid=replay-ticker]')).not.toContain(TITLE);
    await expect.poll(() => renderedIncidentIds(page, WHERE), { timeout: 5_000 }).not.toContain(incidentId);

    // The live store was never touched: still live, still holding the incident and the record.
    const liveNow = await page.evaluate(
      ({ id, op }) => ({
        state: window.__pzLive!.status.state,
        has: window.__pzLive!.incidents.some((i) => i.id === id),
        op: window.__pzLive!.operations.find((o) => o.id === op)?.status,
        mode: window.__pzLive!.mode.state,
      }),
      { id: incidentId, op: operationId },
    );
    expect(liveNow).toEqual({ state: 'live', has: true, op: 'stood_down', mode: 'peacetime' });
    expect(pageErrors).toEqual([]);
  });
});
