import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * Who may open the live socket, by `Origin`. The session cookie is SameSite=Strict, but a
 * WebSocket handshake is not bound by CORS, so the Origin check is what stops another site's page
 * (or a sibling subdomain) from riding an operator's cookie.
 *
 * - The server's own origin is allowed: scheme + host (+ port) as the request reached us, i.e.
 *   the Host header, or X-Forwarded-Host/Proto when the peer is a trusted proxy (the same rules as
 *   Fastify's `trustProxy`, so the API and the socket agree on who we are).
 * - Origins in ALLOWED_ORIGINS are allowed.
 * - No Origin at all is allowed: every browser sends one on a WebSocket handshake, so its absence
 *   means a non-browser client (our tests, the bench, a script), which can only present a cookie
 *   it already holds — there is no ambient credential to forge with.
 * - Anything else, including `null` (sandboxed frames, file://), is refused.
 */
export type OriginPolicy = { trustProxy: boolean | number | string[]; allowedOrigins: string[] };

function normalise(origin: string): string | null {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

function lastEntry(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (!s) return undefined;
  const i = s.lastIndexOf(',');
  return (i < 0 ? s : s.slice(i + 1)).trim() || undefined;
}

export function originChecker(policy: OriginPolicy): (req: IncomingMessage) => string | null {
  const tp = policy.trustProxy;
  // As Fastify: a bare hop count cannot vouch for the immediate peer, so it trusts no header.
  const trusted =
    tp === true ? () => true : Array.isArray(tp) && tp.length ? proxyAddr.compile(tp) : () => false;
  const allowed = new Set(policy.allowedOrigins.map(normalise).filter((o): o is string => o !== null));

  const ownOrigin = (req: IncomingMessage): string | null => {
    const peer = req.socket.remoteAddress ?? '';
    const viaProxy = trusted(peer, 0);
    const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
    const proto = (viaProxy && lastEntry(req.headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http');
    const host = (viaProxy && lastEntry(req.headers['x-forwarded-host'])) || req.headers.host;
    if (!host) return null;
    return normalise(`${proto}://${host}`);
  };

  /** Null when the handshake may proceed; otherwise why not. */
  return (req) => {
    const raw = req.headers.origin;
    if (raw === undefined) return null;
    const origin = normalise(raw);
    if (origin === null) return `origin ${JSON.stringify(raw)} is not allowed`;
    if (allowed.has(origin) || origin === ownOrigin(req)) return null;
    return `origin ${origin} is not allowed (not this server's origin nor in ALLOWED_ORIGINS)`;
  };
}
