/**
 * Early warnings on the wall and alarms that reach people, in real chromium against a real server
 * (issue 12 "warnings are a layer on every map…", issue 13 item 2):
 * - a CAP Alert posted over HTTP appears on the wall in its colour over the right area, its Update
 *   recolours it (and puts it on the banner), its Cancel removes it, a short-`expires` one goes by
 *   itself; the console lists it;
 * - a severity I incident raises a browser notification on a wall whose tab is hidden (permission
 *   granted in the test browser), the banner names the street and how long ago, one click
 *   acknowledges it on another wall and the first one drops it; the notification opens the incident.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { INTAKE, launchChromium, ROOT } from './browser.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** The rainstorm fixture (a Haidian polygon and circle, CAP `lat,lon`) as a new message now. */
const RAIN = readFileSync(path.join(ROOT, 'server/warnings/fixtures/own-haidian-rainstorm.xml'), 'utf8');
/** A CAP dateTime at +08:00, as Chinese senders write them (CAP forbids `Z`). */
const capDateTime = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
const SENDER = 'haidian.qx@example.cn';
const run = `${process.pid}-${Date.now()}`;
function rain(o: {
  identifier: string;
  msgType?: 'Alert' | 'Update' | 'Cancel';
  references?: string;
  severity?: string;
  headline?: string;
  expiresInMs?: number;
}): string {
  const now = Date.now();
  let x = RAIN.replace(/<cap:identifier>[^<]*/, `<cap:identifier>${o.identifier}`)
    .replace(/<cap:sent>[^<]*/, `<cap:sent>${capDateTime(now - 1000)}`)
    .replace(/<cap:onset>[^<]*/, `<cap:onset>${capDateTime(now - 1000)}`)
    .replace(/<cap:expires>[^<]*/, `<cap:expires>${capDateTime(now + (o.expiresInMs ?? 3600_000))}`)
    .replace(/<cap:msgType>[^<]*/, `<cap:msgType>${o.msgType ?? 'Alert'}`);
  if (o.severity) x = x.replace(/<cap:severity>[^<]*/, `<cap:severity>${o.severity}`);
  if (o.headline) x = x.replace(/<cap:headline>[^<]*/, `<cap:headline>${o.headline}`);
  if (o.references)
    x = x.replace('<cap:scope>', `<cap:references>${o.references}</cap:references>\n  <cap:scope>`);
  return x;
}
const ref = (identifier: string) => `${SENDER},${identifier},${capDateTime(Date.now() - 3600_000)}`;

async function postCap(xml: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/warnings`, {
    method: 'POST',
    headers: { authorization: INTAKE.authorization, 'content-type': 'application/cap+xml' },
    body: xml,
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function login(p: Page, username: string, target: string): Promise<void> {
  await p.goto(`${server.url}${target}`);
  await p.waitForSelector('[data-testid=login]');
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', 'pingzhan');
  await p.click('button[type=submit]');
}

async function openPage(
  username: string,
  target: string,
  opts: { hidden?: boolean; notifications?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1600, height: 900 },
    locale: 'zh-CN',
    permissions: opts.notifications ? ['notifications'] : [],
  });
  contexts.push(context);
  if (opts.hidden) {
    // A background tab: headless chromium never hides a page itself, so the page is told it is
    // hidden the way the browser tells it (document.visibilityState / document.hidden).
    await context.addInitScript(() => {
      Object.defineProperty(Document.prototype, 'visibilityState', {
        configurable: true,
        get: () => 'hidden',
      });
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => true });
    });
  }
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error') console.error(`[${username}] ${m.text()}`);
  });
  await login(p, username, target);
  // a commander lands on the console after logging in, whatever the page asked for
  await p.waitForURL((u) => u.pathname !== '/login', { timeout: 30_000 });
  if (new URL(p.url()).pathname !== target) await p.goto(`${server.url}${target}`);
  await p.waitForFunction(
    () =>
      window.__pzLive?.status.state === 'live' && window.__pzMap?.getLayer('pz-warnings-fill') !== undefined,
    null,
    { timeout: 30_000 },
  );
  return p;
}

/** The warning's rendered area features where the map shows `at` (the map is moved there first). */
async function renderedWarnings(
  p: Page,
  at: { lng: number; lat: number },
): Promise<{ id: string; colour: string; drill: number }[]> {
  await p.evaluate(
    ({ lng, lat }) =>
      new Promise<void>((resolve) => {
        const map = window.__pzMap!;
        map.jumpTo({ center: [lng, lat], zoom: 12 });
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
    at,
  );
  return p.evaluate(({ lng, lat }) => {
    const map = window.__pzMap!;
    return map.queryRenderedFeatures(map.project([lng, lat]), { layers: ['pz-warnings-fill'] }).map((f) => ({
      id: String(f.properties.id),
      colour: String(f.properties.colour),
      drill: Number(f.properties.drill),
    }));
  }, at);
}

beforeAll(async () => {
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  server = await startTestServer();
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.close();
});

describe('warnings on the wall', () => {
  // Inside the fixture's polygon (CAP: 40.08,116.15 40.10,116.25 40.02,116.28 39.99,116.18), in
  // Haidian's north-west; read as lng,lat the same numbers would be in Antarctica's ocean.
  const INSIDE = { lng: 116.22, lat: 40.05 };
  const OUTSIDE = { lng: 116.33, lat: 39.93 };
  let wall: Page;
  let id: string;

  it('an Alert posted over HTTP shows in its colour over the right area, listed on the console', async () => {
    wall = await openPage('duty', '/wall');
    id = await postCap(rain({ identifier: `bt-${run}-1` }));
    await wall.waitForFunction((w) => window.__pzLive!.warnings.some((x) => x.id === w), id, {
      timeout: 15_000,
    });
    await expect
      .poll(() => renderedWarnings(wall, INSIDE), { timeout: 10_000 })
      .toContainEqual({
        id,
        colour: 'yellow',
        drill: 0,
      });
    expect((await renderedWarnings(wall, OUTSIDE)).map((f) => f.id)).not.toContain(id);
    // every coordinate of the drawn area is in Haidian, GeoJSON [lng, lat]
    const box = await wall.evaluate((w) => {
      const warning = window.__pzLive!.warnings.find((x) => x.id === w)!;
      const pts = warning.area.features.flatMap((f) =>
        f.geometry
          ? f.geometry.type === 'Polygon'
            ? f.geometry.coordinates.flat()
            : f.geometry.coordinates.flat(2)
          : [],
      );
      return {
        lng: [Math.min(...pts.map((q) => q[0])), Math.max(...pts.map((q) => q[0]))],
        lat: [Math.min(...pts.map((q) => q[1])), Math.max(...pts.map((q) => q[1]))],
      };
    }, id);
    expect(box.lng[0]).toBeGreaterThan(116.0);
    expect(box.lng[1]).toBeLessThan(116.4);
    expect(box.lat[0]).toBeGreaterThan(39.9);
    expect(box.lat[1]).toBeLessThan(40.2);
    // yellow is not on the wall's banner (orange and red are)
    expect(await wall.locator(`[data-testid=warning-banner-item][data-warning-id="${id}"]`).count()).toBe(0);
    // the headline on hover, as text
    await renderedWarnings(wall, INSIDE);
    const pt = await wall.evaluate(({ lng, lat }) => window.__pzMap!.project([lng, lat]), INSIDE);
    const box2 = (await wall.locator('[data-testid=map]').boundingBox())!;
    await wall.mouse.move(box2.x + pt.x, box2.y + pt.y);
    await wall.mouse.move(box2.x + pt.x + 2, box2.y + pt.y + 1);
    await expect
      .poll(() => wall.locator('.pz-warning-popup').textContent(), { timeout: 5000 })
      .toContain('海淀区气象台发布暴雨黄色预警信号');

    const consolePage = await openPage('commander', '/console');
    const item = consolePage.locator(`[data-testid=warning-list] [data-warning-id="${id}"]`);
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getAttribute('data-colour')).toBe('yellow');
    expect(await item.textContent()).toContain('暴雨');
    await item.click();
    // the map is framed on the area
    await expect
      .poll(
        () =>
          consolePage.evaluate(() => {
            const c = window.__pzMap!.getCenter();
            return Math.abs(c.lng - 116.215) < 0.05 && Math.abs(c.lat - 40.045) < 0.05;
          }),
        { timeout: 5000 },
      )
      .toBe(true);
    await consolePage.context().close();
  });

  it('its Update recolours it and puts it on the banner; its Cancel removes it', async () => {
    await postCap(
      rain({
        identifier: `bt-${run}-1u`,
        msgType: 'Update',
        references: ref(`bt-${run}-1`),
        severity: 'Severe',
        headline: '海淀区气象台升级暴雨橙色预警信号',
      }),
    );
    await expect
      .poll(async () => (await renderedWarnings(wall, INSIDE)).find((f) => f.id === id)?.colour, {
        timeout: 15_000,
      })
      .toBe('orange');
    const banner = wall.locator(`[data-testid=warning-banner-item][data-warning-id="${id}"]`);
    await banner.waitFor({ timeout: 5000 });
    expect(await banner.getAttribute('data-colour')).toBe('orange');
    const text = await banner.textContent();
    expect(text).toContain('橙色预警');
    expect(text).toContain('海淀区气象台升级暴雨橙色预警信号');
    expect(text).toContain('西北旺镇');

    await postCap(rain({ identifier: `bt-${run}-1c`, msgType: 'Cancel', references: ref(`bt-${run}-1u`) }));
    await wall.waitForFunction((w) => !window.__pzLive!.warnings.some((x) => x.id === w), id, {
      timeout: 15_000,
    });
    await expect
      .poll(() => renderedWarnings(wall, INSIDE), { timeout: 10_000 })
      .not.toContainEqual(expect.objectContaining({ id }));
    await expect.poll(() => banner.count()).toBe(0);
  });

  it('a warning with a short expires goes from the wall by itself', async () => {
    const short = await postCap(
      rain({ identifier: `bt-${run}-2`, severity: 'Extreme', expiresInMs: 10_000 }),
    );
    const banner = wall.locator(`[data-testid=warning-banner-item][data-warning-id="${short}"]`);
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.getAttribute('data-colour')).toBe('red');
    await expect
      .poll(() => renderedWarnings(wall, INSIDE), { timeout: 10_000 })
      .toContainEqual({
        id: short,
        colour: 'red',
        drill: 0,
      });
    // the expiry job's warning.expired removes it from the live state, the map and the banner
    await wall.waitForFunction((w) => !window.__pzLive!.warnings.some((x) => x.id === w), short, {
      timeout: 30_000,
    });
    await expect.poll(() => banner.count()).toBe(0);
    await expect
      .poll(async () => (await renderedWarnings(wall, INSIDE)).map((f) => f.id), { timeout: 10_000 })
      .not.toContain(short);
    expect(pageErrors).toEqual([]);
  });
});

describe('alarms that reach people', () => {
  it('notifies a hidden wall, names the street and the time, and one ack clears every console', async () => {
    const hidden = await openPage('duty', '/wall', { hidden: true, notifications: true });
    const other = await openPage('commander', '/wall');
    expect(await hidden.evaluate(() => [document.visibilityState, Notification.permission])).toEqual([
      'hidden',
      'granted',
    ]);
    const title = `燃气泄漏 ${run}`;
    const res = await fetch(`${server.url}/api/v1/incidents`, {
      method: 'POST',
      headers: INTAKE,
      body: JSON.stringify({
        source: 'browser-test',
        externalId: `alarm-${run}`,
        kind: 'emergency',
        category: 'gas_leak',
        title,
        // in 万寿路街道 (the grid's first street)
        location: { lng: 116.2955, lat: 39.9075 },
        severity: 1,
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    // the hidden wall raised a notification for it (a real Notification, permission granted)
    const notice = await hidden.waitForFunction(
      (i) => window.__pzNotified?.find((n) => n.id === i) ?? null,
      id,
      { timeout: 15_000 },
    );
    const seen = (await notice.jsonValue()) as { title: string; body: string };
    expect(seen.title).toContain(title);
    // the other wall's banner: the street from the grid, and how long ago
    const banner = other.locator('[data-testid=alarm]');
    await banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => banner.textContent()).toContain(title);
    const street = await other.locator('[data-testid=alarm-street]').textContent();
    const expected = await other.evaluate((i) => {
      const live = window.__pzLive!;
      const inc = live.getIncident(i)!;
      return live.grid!.features.find((f) => f.properties.id === inc.streetId)?.properties.name ?? null;
    }, id);
    expect(expected).not.toBeNull();
    expect(street).toBe(expected);
    expect(seen.body).toContain(expected!);
    expect(await other.locator('[data-testid=alarm-ago]').textContent()).toBe('刚刚');
    await hidden.locator('[data-testid=alarm]').waitFor({ timeout: 5000 });

    // one click on one console; the other drops the alarm and its notification
    await other.locator('[data-testid=alarm-ack]').click();
    await expect.poll(() => banner.count()).toBe(0);
    await hidden.waitForFunction(() => window.__pzLive!.alarms.length === 0, null, { timeout: 10_000 });
    expect(await hidden.locator('[data-testid=alarm]').count()).toBe(0);
    expect(await hidden.evaluate((i) => window.__pzNotified!.find((n) => n.id === i)!.closed, id)).toBe(true);
    const acked = await hidden.evaluate((i) => window.__pzLive!.getIncident(i), id);
    expect(acked).toMatchObject({ acknowledgedBy: 'commander' });

    // clicking the notification brings the tab forward and opens the incident on the console
    await hidden.evaluate(
      (i) => window.__pzNotified!.find((n) => n.id === i)!.note.onclick?.(new Event('click')),
      id,
    );
    await hidden.waitForURL(/\/console\?incident=/, { timeout: 10_000 });
    await hidden.waitForSelector(`text=${title}`, { timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  });
});
