/**
 * Handles the browser tests drive the app through (`window.__pzLive`: the live store and its
 * feed). Installed by main.ts in development and test builds only: the branch
 * that calls `installTestHooks` is dead code in a production build, so neither the call nor this
 * module reaches the bundle (client/tests/no-test-hooks.browser.test.ts checks).
 */
import { live } from '../app-state.svelte.ts';
import type { LiveStore } from '../live/live-store.svelte.ts';

declare global {
  interface Window {
    __pzLive?: LiveStore;
  }
}

export function installTestHooks(): void {
  window.__pzLive = live;
}
