/**
 * The queue board at /admin/queues: the admin's alone, behind the console's session, and working
 * in a real Chromium (Debian's, through playwright-core) under our CSP with no internet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../client/tests/browser.ts';
import { until } from '../../testing/command-helpers.ts';
import { login, startTestServer, type TestServer } from '../../testing/harness.ts';

describe('/admin/queues', () => {
  let s: TestServer;
  let browser: Browser | undefined;
  beforeAll(async () => {
    // No worker here: a posted report stays waiting, so the board has a job to show.
    s = await startTestServer({ env: { WORKER_CONCURRENCY: '0' } });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${s.url}${p}`, { headers, redirect: 'manual' });

  it('sends a browser without a session to the login page, and anything else gets 401', async () => {
    const page = await get('/admin/queues', { accept: 'text/html' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login');
    expect((await get('/admin/queues/api/queues')).status).toBe(401);
    // An integration's key is not a session.
    expect((await get('/admin/queues/api/queues', { authorization: 'Bearer demo-intake-key' })).status).toBe(
      403,
    );
    expect((await get('/admin/queues/api/queues', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('is 403 for every role but admin', async () => {
    for (const role of ['duty', 'commander', 'liaison']) {
      const cookie = await login(s.url, role);
      expect((await get('/admin/queues', { cookie, accept: 'text/html' })).status, role).toBe(403);
      expect((await get('/admin/queues/api/queues', { cookie })).status, role).toBe(403);
      // Its static files too: nothing of the board is served to other roles.
      expect((await get('/admin/queues/static/images/logo.svg', { cookie })).status, role).toBe(403);
    }
  });

  it('shows the admin the pipeline queue, read-only and without remote fonts', async () => {
    const cookie = await login(s.url, 'admin');
    const page = await get('/admin/queues', { cookie, accept: 'text/html' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    // Its CSP allows inline <style> (bull-board writes them) and nothing more; the console's does not.
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("style-src 'self' 'unsafe-inline';");
    expect(csp).toContain("script-src 'self';");
    const consoleCsp = (await get('/healthz')).headers.get('content-security-policy') ?? '';
    expect(consoleCsp).toContain("style-src 'self';");
    expect(consoleCsp.replace("style-src 'self';", '')).toBe(
      csp.replace("style-src 'self' 'unsafe-inline';", ''),
    );
    const api = await get('/admin/queues/api/queues', { cookie });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => [q.name, q.readOnlyMode])).toEqual([['pipeline', true]]);
  });

  it('renders in Chromium under the CSP, loading nothing from elsewhere', async () => {
    const res = await fetch(`${s.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: 'Bearer demo-intake-key', 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'board-test',
        externalId: `qb-${process.pid}`,
        kind: 'case',
        category: 'other',
        title: '队列看板',
        location: { lng: 116.3, lat: 39.95 },
      }),
    });
    expect(res.status).toBe(202);

    browser = await launchChromium();
    const context = await browser.newContext();
    const [name, value] = (await login(s.url, 'admin')).split('=');
    await context.addCookies([{ name, value, url: s.url }]);
    const page = await context.newPage();
    const foreign: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(s.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
        foreign.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`),
      );
    });

    await page.goto(`${s.url}/admin/queues`);
    // The overview lists the queue; its page shows the waiting job.
    await page.getByText('pipeline', { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.goto(`${s.url}/admin/queues/queue/pipeline?status=waiting`);
    await until(async () => (await page.content()).includes('intake.incident'), 20_000);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);

    // Read-only even for the admin: emptying the queue would lose a report answered 202.
    const cookie = `${name}=${value}`;
    for (const action of ['empty', 'clean/waiting', 'pause', 'retry/failed']) {
      const r = await fetch(`${s.url}/admin/queues/api/queues/pipeline/${action}`, {
        method: 'PUT',
        headers: { cookie },
      });
      expect(r.status, action).toBe(405);
    }
    expect((await s.container.queue.counts()).waiting).toBe(1);
  });
});
