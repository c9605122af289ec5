/** One shared clock for countdowns and elapsed times: ticks once a second while anything reads it. */
import { createSubscriber } from 'svelte/reactivity';

const subscribe = createSubscriber((update) => {
  const t = setInterval(update, 1000);
  return () => clearInterval(t);
});

export const clock = {
  /** Milliseconds since the epoch; reading it in a template re-renders it every second. */
  get now(): number {
    subscribe();
    return Date.now();
  },
};
