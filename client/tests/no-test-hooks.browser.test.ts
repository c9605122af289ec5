/**
 * The production bundle carries no test hooks: what the browser tests poke at (`window.__pzLive`
 * and the like) exists in `vite dev` and in `mode: 'test'` builds only. Here for the browser
 * project's build timeout and serial run; no browser is started. Builds in memory into a temp
 * folder, never over dist/client (which the browser tests serve).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './browser.ts';

const out = mkdtempSync(path.join(tmpdir(), 'pz-prod-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Builds as `npm run build` (production) or the browser tests (test) do. NODE_ENV as `vite build`
 * run from a shell has it: vitest sets it to "test", which would compile the Svelte components in
 * dev mode (whose helpers keep `import.meta.env.MODE !== 'production'` from folding away).
 */
async function bundle(mode: string): Promise<string> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = mode === 'production' ? 'production' : nodeEnv;
  const result = await build({
    configFile: path.join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    mode,
    build: { write: false, outDir: out, emptyOutDir: true },
  }).finally(() => {
    process.env.NODE_ENV = nodeEnv;
  });
  type Output = { output: { type: string; code?: string; source?: unknown }[] };
  const outputs = (Array.isArray(result) ? result : [result]) as Output[];
  return outputs
    .flatMap((o) => o.output)
    .map((f) => f.code ?? (typeof f.source === 'string' ? f.source : ''))
    .join('\n');
}

/**
 * `window.__pzLive` (client/src/lib/testing/hooks.ts, installed by main.ts), `__pzMap`
 * (map/controller.ts), `__pzReplay` (routes/Replay.svelte), and `LiveFeed.simulateDrop`, which no
 * test needs any more (wall.browser.test.ts cuts the socket from the server's side).
 */
const HOOKS = ['__pzLive', '__pzReplay', '__pzMap', 'simulateDrop'];

describe('test hooks', () => {
  it('are not in a production build', async () => {
    const code = await bundle('production');
    expect(code.length).toBeGreaterThan(10_000);
    expect(HOOKS.filter((h) => code.includes(h))).toEqual([]);
  });

  it('are in the test build the browser tests use', async () => {
    const code = await bundle('test');
    expect(code).toContain('__pzLive');
  });
});
