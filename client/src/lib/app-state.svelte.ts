/** App-wide singletons: the live store (one socket per tab) and what happens when the session ends. */
import { LiveStore } from './live/live-store.svelte.ts';
import { router } from './router.svelte.ts';
import { session } from './session.svelte.ts';

export const live = new LiveStore({
  onSessionLost: () => {
    session.user = null;
    live.stop();
    router.navigate(`/login?next=${encodeURIComponent(location.pathname)}`);
  },
});
