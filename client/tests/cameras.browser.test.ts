/**
 * Cameras in the console, in a real browser against a real server: the admin opens CAM-0010 on
 * the map and edits its Frigate link (a too-long value is named by field, a device already linked
 * to CAM-0005 is refused with the server's message), a Frigate event for the new name makes an
 * alert on that camera, and the camera's map feature follows its status live: online after the
 * event, offline after CAMERA_SILENCE_S of silence. No sleeps: every wait is on the DOM, the map
 * or the live store.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { INTAKE_KEY, startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { launchChromium, ROOT } from './browser.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const wireErrors: string[] = [];
const CAM = 'CAM-0010';

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
  return p;
}

/** Centre the map on the camera, close enough for its cross, and wait until it is drawn. */
async function frameCamera(p: Page, lng: number, lat: number): Promise<void> {
  await p.waitForFunction(() => !!window.__pzMap?.getLayer('pz-cameras'), null, { timeout: 20_000 });
  await p.evaluate(
    ([x, y]) =>
      new Promise<void>((done) => {
        const map = window.__pzMap!;
        map.jumpTo({ center: [x, y], zoom: 17 });
        map.once('idle', () => done());
      }),
    [lng, lat],
  );
}

/** A click on the map where the point is drawn (the camera's feature, when nothing is above it). */
async function clickAt(p: Page, lng: number, lat: number): Promise<void> {
  const at = await p.evaluate(([x, y]) => window.__pzMap!.project([x, y]), [lng, lat]);
  const box = (await p.locator('.maplibregl-canvas').boundingBox())!;
  await p.mouse.click(box.x + at.x, box.y + at.y);
}

/**
 * Frigate's documented `frigate/events` message as a new detection (the video adapters' fixture,
 * read as data: client tests import nothing of the server but its harness). Its comments follow
 * whitespace; a URL's `//` follows a colon.
 */
function frigateNew(): { type: string; after: Record<string, unknown> } {
  const jsonc = readFileSync(
    path.join(ROOT, 'server/integrations/video/fixtures/frigate-docs-events-update.jsonc.txt'),
    'utf8',
  );
  const doc = JSON.parse(jsonc.replace(/\s\/\/.*$/gm, '')) as {
    type: string;
    after: Record<string, unknown>;
  };
  doc.type = 'new';
  return doc;
}

/** The status the map draws for the camera: the rendered feature's, or null if none is drawn. */
const renderedStatus = (p: Page, id: string) =>
  p.evaluate((cam) => {
    const f = window
      .__pzMap!.queryRenderedFeatures(undefined, { layers: ['pz-cameras'] })
      .find((x) => x.properties.id === cam);
    return f ? String(f.properties.status) : null;
  }, id);

beforeAll(async () => {
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'test' });
  // cameras go offline after 2 s of silence (the sweep runs every 500 ms)
  server = await startTestServer({ env: { CAMERA_SILENCE_S: '2' } });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('cameras in the console', () => {
  it('the admin links CAM-0010 to Frigate; its event makes an alert there; the map follows online → offline', async () => {
    const cam = server.container.cameras.find((c) => c.id === CAM)!;
    expect(cam).toBeTruthy();
    const p = await open('admin', '/console');
    await frameCamera(p, cam.location.lng, cam.location.lat);
    // not yet heard from: drawn as unknown
    await p.waitForFunction(
      (id) =>
        window
          .__pzMap!.queryRenderedFeatures(undefined, { layers: ['pz-cameras'] })
          .some((f) => f.properties.id === id),
      CAM,
    );
    expect(await renderedStatus(p, CAM)).toBe('unknown');

    // a click on the camera opens its panel with the links form
    await clickAt(p, cam.location.lng, cam.location.lat);
    const panel = p.locator('[data-testid=camera-panel]');
    await panel.waitFor();
    await expect(p.locator('[data-testid=camera-name]').textContent()).resolves.toBe(cam.name);
    await expect(p.locator('[data-testid=camera-status]').textContent()).resolves.toContain('未知');
    const field = p.locator('[data-testid=link-frigate-camera]');

    // the server's 400 is shown at its field
    await field.fill('x'.repeat(201));
    await p.click('[data-testid=camera-links-save]');
    await p.locator('.issue[data-field="frigate.camera"]').waitFor();
    await expect(p.locator('[data-testid=camera-links-error]').textContent()).resolves.toContain('请修正');

    // a device another camera has (CAM-0005's front_door in demo mode): the 409's message
    await field.fill('front_door');
    await p.click('[data-testid=camera-links-save]');
    await p.waitForFunction(() =>
      document.querySelector('[data-testid=camera-links-error]')?.textContent?.includes('CAM-0005'),
    );
    await expect(p.locator('[data-testid=camera-links-error]').textContent()).resolves.toContain('已关联');

    // a name of its own is saved, and the live state has it from `camera.updated`
    await field.fill('yard_gate');
    await p.click('[data-testid=camera-links-save]');
    await p.locator('[data-testid=camera-links-saved]').waitFor();
    expect(await p.locator('[data-testid=camera-links-error]').count()).toBe(0);
    await p.waitForFunction(
      (id) => window.__pzLive!.cameras.find((c) => c.id === id)?.links.frigate?.camera === 'yard_gate',
      CAM,
    );

    // record every status the map's source holds for the camera from now on: online lasts only
    // until the silence sweep, so a look at the end alone could miss it
    await p.evaluate((id) => {
      const w = window as unknown as { __camSeen: string[] };
      w.__camSeen = [];
      const map = window.__pzMap!;
      map.on('sourcedata', (e) => {
        if (e.sourceId !== 'pz-cameras') return;
        const src = map.getSource('pz-cameras') as unknown as {
          getData(): Promise<GeoJSON.FeatureCollection>;
        };
        void src.getData().then((fc) => {
          const f = fc.features.find((x) => x.properties?.id === id);
          const s = String(f?.properties?.status);
          if (w.__camSeen[w.__camSeen.length - 1] !== s) w.__camSeen.push(s);
        });
      });
    }, CAM);

    // a Frigate event for that name, over HTTP with the intake key
    const msg = frigateNew();
    const after = msg.after;
    after.camera = 'yard_gate';
    after.id = `${after.id as string}-cam0010`;
    const res = await fetch(`${server.url}/api/v1/integrations/frigate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTAKE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(msg),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { cameras: string[]; alerts: unknown[] };
    expect(body.cameras).toEqual([CAM]);
    expect(body.alerts).toHaveLength(1);
    // the alert reaches the console on that camera
    await p.waitForFunction((id) => window.__pzLive!.videoAlerts.some((a) => a.cameraId === id), CAM, {
      timeout: 20_000,
    });

    // the map went online with the event, then offline after the silence: source and rendering
    await p.waitForFunction(
      () => {
        const seen = (window as unknown as { __camSeen: string[] }).__camSeen;
        const on = seen.indexOf('online');
        return on >= 0 && seen.indexOf('offline', on) > on;
      },
      null,
      { timeout: 20_000 },
    );
    await p.waitForFunction(
      (id) =>
        window
          .__pzMap!.queryRenderedFeatures(undefined, { layers: ['pz-cameras-offline'] })
          .some((f) => f.properties.id === id),
      CAM,
      { timeout: 10_000 },
    );
    expect(await renderedStatus(p, CAM)).toBe('offline');
    // and the open panel says so, with when it was last heard
    await p.locator('[data-testid=camera-status][data-status=offline]').waitFor();
    await expect(p.locator('[data-testid=camera-status]').textContent()).resolves.toContain('离线');
    await expect(p.locator('[data-testid=camera-last-seen]').textContent()).resolves.toContain('最后在线');
  });

  it('a duty officer sees the camera status but no links form', async () => {
    // another camera: CAM-0010's alert now sits on top of it, and a click there opens the alert
    const cam = server.container.cameras.find((c) => c.id === 'CAM-0011')!;
    const p = await open('duty', '/console');
    await frameCamera(p, cam.location.lng, cam.location.lat);
    await p.waitForFunction(
      (id) =>
        window
          .__pzMap!.queryRenderedFeatures(undefined, { layers: ['pz-cameras'] })
          .some((f) => f.properties.id === id),
      cam.id,
    );
    await clickAt(p, cam.location.lng, cam.location.lat);
    await p.locator('[data-testid=camera-panel]').waitFor();
    expect(await p.locator('[data-testid=camera-links-form]').count()).toBe(0);
    await p.selectOption('[data-testid=lang]', 'en');
    await p.waitForFunction(() =>
      ['Online', 'Offline', 'Unknown'].includes(
        document.querySelector('[data-testid=camera-status]')?.textContent?.trim() ?? '',
      ),
    );
    await expect(p.locator('[data-testid=legend-camera-offline]').textContent()).resolves.toContain(
      'offline',
    );
  });

  it('raised no page errors and no schema mismatches', () => {
    expect(pageErrors).toEqual([]);
    expect(wireErrors).toEqual([]);
  });
});
