import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRules } from '../../shared/case-rules.ts';
import type { KpiAnswer } from '../../shared/kpi.ts';
import { loginAll } from '../../server/testing/command-helpers.ts';
import { startTestServer, type TestServer } from '../../server/testing/harness.ts';
import { ROOT } from '../../server/testing/processes.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => srv?.close());

/** Runs `npm run simulate -- …` as a user would, to its end. */
function simulate(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/simulate.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('npm run simulate -- --peacetime', () => {
  it('drives a peacetime day through the public API to figures near the seed, and restores the rules', async () => {
    const as = await loginAll(srv.url);
    const before = (await as.admin.get('/api/v1/case-rules')).body as CaseRules;
    const from = new Date().toISOString();
    // ×20,000: a simulated day in 4.3 s; every limit at its 30 s floor but the longest (15
    // working days → 65 s). Two seconds of intake (≈75 cases), then every case runs its course.
    const run = await simulate([
      '--peacetime',
      '--url',
      srv.url,
      '--speed',
      '20000',
      '--duration',
      '2',
      '--seed',
      '11',
      '--run-id',
      'peace-test',
    ]);
    // The run's last lines (its counters and the KPI it read), for whoever reads the test log.
    console.log(run.out.trim().split('\n').slice(-3).join('\n'));
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('Case rules restored');
    const to = new Date(Date.now() + 1000).toISOString();
    const k = await as.duty.get(
      `/api/v1/kpis?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=department`,
    );
    expect(k.status).toBe(200);
    const t = (k.body as KpiAnswer).total;
    // Seeded, but the server's timing is real: loose bounds around 97 % and 99 %.
    expect(t.accepted, run.out).toBeGreaterThan(30);
    expect(t.handled).toBeGreaterThan(20);
    expect(t.timelinessRate!, run.out).toBeGreaterThan(0.85);
    expect(t.closureRate!, run.out).toBeGreaterThan(0.9);
    // The rules are as they were (a new version with the same content).
    const after = (await as.admin.get('/api/v1/case-rules')).body as CaseRules;
    expect(after.version).toBe(before.version + 2);
    expect(after.limits).toEqual(before.limits);
    expect(after.routing).toEqual(before.routing);
  }, 300_000);
});
