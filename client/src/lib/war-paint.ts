/**
 * Runs `fn` once the next frame has been painted: what the eye must see first (the wall turning
 * to wartime) gets its own frame, and heavy work (a map camera move, source rewrites) follows.
 * rAF does not run in a hidden tab, where nothing paints: there `fn` runs at once.
 */
export function afterPaint(fn: () => void): void {
  if (typeof requestAnimationFrame !== 'function' || document.hidden) return void queueMicrotask(fn);
  // the rAF callback runs before that frame paints; a task queued from it runs after
  requestAnimationFrame(() => setTimeout(fn, 0));
}
