/**
 * What one CAP message does to the warnings we hold, as a pure function: the service runs it inside
 * the commit (against the warnings read there) and writes what it answers. No I/O, no clock.
 *
 * A warning is a thread of messages. An `Alert` opens one; an `Update` replaces the content of the
 * thread it references (several referenced threads: the newest takes the content, the others are
 * `superseded` by it); a `Cancel` ends every thread it references. Every message of a thread is
 * an alias of it, so a reference to any earlier message, and the same `(sender, identifier)` sent
 * twice, both find it.
 */
import type { Warning, WarningArea, WarningMessage } from '../../shared/warning.ts';
import { areasToGeoJSON } from './cap-geo.ts';
import { actionOf, colourOfSeverity, routeStatus } from './cap-mapping.ts';
import { capTimeMs, type CapAlert, type CapInfo, type CapReference } from './cap-model.ts';

/** The thread a message belongs to, by its `(sender, identifier)`, or undefined. */
export type WarningLookup = (sender: string, identifier: string) => Warning | undefined;

export type BookOptions = {
  now: number;
  /** CAP allows a message without `expires`; such a warning ends this long after it came. */
  defaultExpiryMs: number;
  /** The id of a new thread (deterministic from the message in the service). */
  newId: (sender: string, identifier: string) => string;
  /** Who posted the message (an integration's name or an operator's username), kept in the thread. */
  by?: string;
};

export type BookOutcome =
  /** This `(sender, identifier)` was taken before: nothing changes, the same id answers. */
  | { kind: 'duplicate'; id: string }
  /** Ack or Error: a message about messages; it is stored and changes no warning. */
  | { kind: 'noted' }
  /** An Update or Cancel naming messages we never had (`409`): nothing changes. */
  | { kind: 'unknown_reference'; unknown: CapReference[] }
  | { kind: 'issued'; warning: Warning }
  | { kind: 'updated'; warning: Warning; superseded: Warning[] }
  | { kind: 'cancelled'; warnings: Warning[] };

/** The message as a thread entry (only the three kinds that act on warnings get here). */
const entry = (a: CapAlert): WarningMessage => ({
  sender: a.sender,
  identifier: a.identifier,
  sent: a.sent,
  msgType: a.msgType as WarningMessage['msgType'],
});

/** The thread's record of a message: what it was and who posted it. */
const posted = (a: CapAlert, opts: BookOptions): WarningMessage => ({
  ...entry(a),
  ...(opts.by !== undefined ? { by: opts.by } : {}),
});

/** The integration or operator that issued a thread (its first message's poster), if recorded. */
export const issuerOf = (w: Warning): string | undefined => w.messages[0]?.by;

const iso = (capTime: string): string => new Date(capTimeMs(capTime)).toISOString();

/** The info the consoles show: the Chinese one when there is one, else the first. */
export function shownInfo(infos: readonly CapInfo[]): CapInfo | undefined {
  return infos.find((i) => /^zh\b/i.test(i.language ?? '')) ?? infos[0];
}

/** Least to most severe; Unknown is no claim at all, below Minor. */
const SEVERITY_RANK: readonly Warning['capSeverity'][] = [
  'Unknown',
  'Minor',
  'Moderate',
  'Severe',
  'Extreme',
];

/** The most severe info's CAP severity. */
function worstSeverity(infos: readonly CapInfo[]): Warning['capSeverity'] {
  let best = 0;
  for (const i of infos) best = Math.max(best, SEVERITY_RANK.indexOf(i.severity));
  return SEVERITY_RANK[best];
}

/** The content a message gives its thread; `prev` fills what a message without infos lacks. */
function content(a: CapAlert, opts: BookOptions, prev?: Warning) {
  const info = shownInfo(a.infos);
  const times = (pick: (i: CapInfo) => string | undefined) =>
    a.infos
      .map(pick)
      .filter((t): t is string => t !== undefined)
      .map(capTimeMs);
  const onsets = times((i) => i.onset ?? i.effective);
  const expiries = times((i) => i.expires);
  const capSeverity = info ? worstSeverity(a.infos) : (prev?.capSeverity ?? 'Unknown');
  const area: WarningArea = info
    ? (areasToGeoJSON(info.areas) as WarningArea)
    : (prev?.area ?? { type: 'FeatureCollection', features: [] });
  const expiresMs = expiries.length ? Math.max(...expiries) : null;
  return {
    status: a.status as Warning['status'],
    routing: routeStatus(a.status) as Warning['routing'],
    colour: colourOfSeverity(capSeverity),
    capSeverity,
    event: info?.event ?? prev?.event ?? a.note ?? '',
    headline: info?.headline ?? info?.event ?? prev?.headline ?? '',
    description: info?.description ?? prev?.description ?? '',
    ...(info?.instruction ? { instruction: info.instruction } : {}),
    ...(info?.senderName ? { senderName: info.senderName } : {}),
    ...(info?.language ? { language: info.language } : {}),
    area,
    onset: onsets.length ? new Date(Math.min(...onsets)).toISOString() : (prev?.onset ?? iso(a.sent)),
    expires:
      expiresMs !== null
        ? new Date(expiresMs).toISOString()
        : (prev?.expires ?? new Date(opts.now + opts.defaultExpiryMs).toISOString()),
    expiresDefaulted: expiresMs === null ? (prev?.expiresDefaulted ?? true) : false,
  };
}

/** Active unless its time is up. */
const stateAt = (expires: string, now: number): Warning['state'] =>
  Date.parse(expires) <= now ? 'expired' : 'active';

export function applyCap(a: CapAlert, lookup: WarningLookup, opts: BookOptions): BookOutcome {
  const action = actionOf(a.msgType);
  if (a.status === 'Draft') throw new Error('applyCap: a Draft is refused before it gets here');
  const seen = lookup(a.sender, a.identifier);
  if (seen) return { kind: 'duplicate', id: seen.id };
  if (action === 'none') return { kind: 'noted' };
  const at = new Date(opts.now).toISOString();

  if (action === 'issue') {
    const c = content(a, opts);
    return {
      kind: 'issued',
      warning: {
        id: opts.newId(a.sender, a.identifier),
        ...entry(a),
        ...c,
        state: stateAt(c.expires, opts.now),
        messages: [posted(a, opts)],
        createdAt: at,
        updatedAt: at,
        version: 1,
      },
    };
  }

  // Update and Cancel: every reference must be a message we hold (the parser made sure they exist).
  const refs = a.references ?? [];
  const threads = new Map<string, Warning>();
  const unknown: CapReference[] = [];
  for (const r of refs) {
    const w = lookup(r.sender, r.identifier);
    if (w) threads.set(w.id, w);
    else unknown.push(r);
  }
  if (unknown.length || threads.size === 0) return { kind: 'unknown_reference', unknown };
  const touched = [...threads.values()];
  const bump = (w: Warning, patch: Partial<Warning>): Warning => ({
    ...w,
    ...patch,
    messages: [...w.messages, posted(a, opts)],
    updatedAt: at,
    version: w.version + 1,
  });

  if (action === 'cancel')
    return {
      kind: 'cancelled',
      warnings: touched.map((w) => bump(w, { ...entry(a), state: 'cancelled' })),
    };

  // The newest thread (by the time of its message in force) carries on; the others fold into it.
  touched.sort((x, y) => capTimeMs(y.sent) - capTimeMs(x.sent));
  const [target, ...rest] = touched;
  const c = content(a, opts, target);
  return {
    kind: 'updated',
    warning: bump(target, { ...entry(a), ...c, state: stateAt(c.expires, opts.now) }),
    superseded: rest.map((w) => bump(w, { state: 'superseded', supersededBy: target.id })),
  };
}
