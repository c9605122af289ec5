import { ringArea, type Pt } from './geometry.ts';

/** Half-plane a·x + b·y <= c. */
export interface HalfPlane {
  a: number;
  b: number;
  c: number;
}

interface Node {
  p: Pt;
  /** 'in': boundary enters the half-plane here; 'out': it leaves. */
  kind: 'v' | 'in' | 'out';
}

/**
 * Clips a simple open ring (no repeated closing point) to a half-plane.
 *
 * Plain Sutherland–Hodgman joins the pieces of a non-convex ring cut in several places with
 * zero-width bridges along the line; here the crossings are paired along the line instead (the
 * line is inside the ring between crossings 1–2, 3–4, …), so every piece comes out as its own
 * simple ring.
 */
export function clipRing(ring: readonly Pt[], h: HalfPlane): Pt[][] {
  const n = ring.length;
  const f = ring.map(([x, y]) => h.a * x + h.b * y - h.c);
  const inside = f.map((v) => v <= 0);
  if (inside.every(Boolean)) return [ring.slice()];
  if (!inside.some(Boolean)) return [];

  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    if (inside[i]) nodes.push({ p: ring[i], kind: 'v' });
    if (inside[i] !== inside[j]) {
      const t = f[i] / (f[i] - f[j]);
      const p: Pt = [ring[i][0] + t * (ring[j][0] - ring[i][0]), ring[i][1] + t * (ring[j][1] - ring[i][1])];
      nodes.push({ p, kind: inside[i] ? 'out' : 'in' });
    }
  }

  const crossings = nodes.map((_, i) => i).filter((i) => nodes[i].kind !== 'v');
  const along = (i: number) => -h.b * nodes[i].p[0] + h.a * nodes[i].p[1];
  crossings.sort((u, v) => along(u) - along(v));
  const partner = new Map<number, number>();
  for (let k = 0; k + 1 < crossings.length; k += 2) {
    const u = crossings[k];
    const v = crossings[k + 1];
    // A pair must be one exit and one entry; anything else is round-off on a near-degenerate cut.
    if (nodes[u].kind === nodes[v].kind) return [sutherlandHodgman(nodes)];
    partner.set(u, v);
    partner.set(v, u);
  }

  const pieces: Pt[][] = [];
  const used = new Set<number>();
  for (const start of crossings) {
    if (nodes[start].kind !== 'in' || used.has(start)) continue;
    const piece: Pt[] = [];
    let i = start;
    for (let guard = 0; guard <= nodes.length; guard++) {
      used.add(i);
      // Walk the original boundary from this entry up to its exit.
      let k = i;
      piece.push(nodes[k].p);
      while (nodes[k].kind !== 'out') {
        k = (k + 1) % nodes.length;
        piece.push(nodes[k].p);
      }
      const next = partner.get(k);
      if (next === undefined) return [sutherlandHodgman(nodes)];
      if (next === start) break;
      i = next;
    }
    pieces.push(piece);
  }
  return pieces.filter((p) => p.length >= 3 && Math.abs(ringArea(p)) > 0);
}

function sutherlandHodgman(nodes: Node[]): Pt[] {
  return nodes.map((n) => n.p);
}

/** Points nearer to `site` than to `other` (perpendicular bisector); exact negation for the pair swapped. */
export function bisector(site: Pt, other: Pt): HalfPlane {
  const a = other[0] - site[0];
  const b = other[1] - site[1];
  const mx = (site[0] + other[0]) / 2;
  const my = (site[1] + other[1]) / 2;
  return { a, b, c: a * mx + b * my };
}

/**
 * Voronoi cells of `sites` clipped to a parent area given as simple open rings (pieces, no holes).
 * The cells partition the parent: each point of it is in the cell of its nearest site. Coordinates
 * must be planar (project lng/lat first), or the cells are the Voronoi cells of a stretched metric.
 */
export function voronoiCells(parent: readonly Pt[][], sites: readonly Pt[]): Pt[][][] {
  return sites.map((site, i) => {
    let pieces: Pt[][] = parent.map((r) => r.slice());
    for (let j = 0; j < sites.length && pieces.length > 0; j++) {
      if (j === i) continue;
      const h = bisector(site, sites[j]);
      pieces = pieces.flatMap((r) => clipRing(r, h));
    }
    return pieces;
  });
}
