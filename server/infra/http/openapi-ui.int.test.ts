/**
 * `/docs` renders in a real browser (Debian's chromium through playwright-core), served by our
 * own server under our own CSP: no CDN, nothing blocked, every area of the API listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../client/tests/browser.ts';
import { startTestServer, type TestServer } from '../../testing/harness.ts';
import { TAGS } from './openapi.ts';

describe('/docs in Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    s = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('shows every area and its operations, with nothing refused by the CSP or fetched elsewhere', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(s.url) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    // A CSP refusal is an event in the page, not always a console message: record those too.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP refused ${e.violatedDirective}: ${e.blockedURI}`),
      );
    });
    const res = await page.goto(`${s.url}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    // Swagger UI fetched /docs/json and rendered the operations.
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const title = await page.locator('.info .title').innerText();
    expect(title).toContain('Pingzhan API');
    for (const tag of Object.values(TAGS)) {
      await expect(page.locator(`.opblock-tag[data-tag="${tag}"]`).count()).resolves.toBe(1);
    }
    await expect(page.locator('.opblock-summary-path[data-path="/api/v1/snapshot"]').count()).resolves.toBe(
      1,
    );
    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });
});
