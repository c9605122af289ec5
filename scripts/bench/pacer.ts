/**
 * Runs `fire` at a steady rate for a time, with at most `maxInFlight` unfinished; stops by itself
 * (at twice the planned time at the latest). Returns how many were fired.
 */
export async function paced(
  ratePerS: number,
  seconds: number,
  fire: (i: number) => Promise<unknown> | void,
  maxInFlight = 1024,
): Promise<number> {
  const total = Math.round(ratePerS * seconds);
  const began = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let i = 0;
  while (i < total && performance.now() - began < seconds * 2000 + 5000) {
    const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * ratePerS) + 1);
    while (i < due && inFlight.size < maxInFlight) {
      const r = fire(i++);
      if (r instanceof Promise) {
        const p: Promise<unknown> = r.catch(() => undefined).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 30_000))]);
  return i;
}
