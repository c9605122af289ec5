/**
 * The one seeded random generator (server, scripts, client tests). Math.random cannot be seeded;
 * a seed makes demo data, a simulator run or a failing fuzz case reproducible.
 */

/** A uniform [0, 1) source. */
export type Rand = () => number;

/** mulberry32: tiny, fast and good enough for demo data and tests; same seed, same sequence everywhere. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: Rand, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rand() * items.length)];
}
