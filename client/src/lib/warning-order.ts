/** Which warnings each view shows, in which order: pure, unit tested. */
import type { Warning, WarningColour } from '../../../shared/warning.ts';

const RANK: Record<WarningColour, number> = { blue: 0, yellow: 1, orange: 2, red: 3 };

/** Still in force at `now` (the expiry job may run a moment late). */
export function inForce(w: Warning, now: number): boolean {
  return Date.parse(w.expires) > now;
}

/** Most severe first, live before drills, then the newest. */
export function byUrgency(a: Warning, b: Warning): number {
  return (
    RANK[b.colour] - RANK[a.colour] ||
    Number(a.routing === 'drill') - Number(b.routing === 'drill') ||
    (a.sent < b.sent ? 1 : a.sent > b.sent ? -1 : 0)
  );
}

/** The console's list: every warning in force. */
export function listedWarnings(ws: readonly Warning[], now: number): Warning[] {
  return ws.filter((w) => inForce(w, now)).sort(byUrgency);
}

/** The wall's banner: orange and red only. */
export function bannerWarnings(ws: readonly Warning[], now: number): Warning[] {
  return listedWarnings(ws, now).filter((w) => w.colour === 'orange' || w.colour === 'red');
}
