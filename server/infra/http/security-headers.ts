import type { IncomingMessage } from 'node:http';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DOCS_PATH } from './openapi.ts';
import { QUEUE_BOARD_PATH } from './queue-board.ts';

/** Prebuilt UIs whose pages write <style> elements (see the hook below). */
const INLINE_STYLE_UIS = [QUEUE_BOARD_PATH, DOCS_PATH];

export type SecurityHeaderOptions = {
  /** Hosts camera snapshots may be loaded from (`config.snapshotHosts`; `*.example.cn` allowed). */
  snapshotHosts: string[];
  /** A configured map style (`config.mapStyleUrl`): the map fetches it and what it names from there. */
  mapStyleUrl: string | null;
  /** HSTS only where the operator runs TLS; on plain http it would be ignored at best. */
  production: boolean;
};

// A Host header becomes part of a header we send: accept only what a host can look like.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * 'self' covers ws:/wss: to the same host in CSP Level 3 browsers; the explicit entries keep
 * older engines working. Behind a proxy that rewrites Host the 'self' entry is the one that matters.
 */
function liveSocketSources(req: IncomingMessage): string {
  const host = req.headers.host;
  return host && HOST.test(host) ? `ws://${host} wss://${host}` : '';
}

function originOf(url: string | null): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? [u.origin] : [];
  } catch {
    return [];
  }
}

/**
 * The console's Content-Security-Policy and the other browser-facing headers.
 *
 * What the SPA needs, and why each source is there:
 * - scripts only from our own origin (Vite emits no inline script);
 * - MapLibre runs its worker from our origin and may hand it blob: URLs; it decodes images
 *   through blob: and data: URLs;
 * - camera snapshots are plain <img> from the configured snapshot hosts;
 * - the live feed is a WebSocket to ourselves; a configured map style is fetched from its origin;
 * - Svelte 5 writes static `style:` directives as style attributes, so inline style *attributes*
 *   are allowed, but not inline <style> elements or stylesheets from elsewhere.
 */
export default fp(async function securityHeaders(app: FastifyInstance, opts: SecurityHeaderOptions) {
  const mapOrigins = originOf(opts.mapStyleUrl);
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...opts.snapshotHosts],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", liveSocketSources, ...mapOrigins],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // frame-ancestors 'none' says it for current browsers; X-Frame-Options for the rest.
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: opts.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });

  // The one exception, scoped to two prebuilt UIs that are not ours, the admin's queue board
  // (bull-board) and the API docs (Swagger UI): their pages write <style> elements. Scripts stay
  // 'self' (both load theirs from this server); nothing else changes.
  app.addHook('onRequest', async (req, reply) => {
    if (
      !INLINE_STYLE_UIS.some(
        (p) => req.url === p || req.url.startsWith(`${p}/`) || req.url.startsWith(`${p}?`),
      )
    )
      return;
    const csp = reply.raw.getHeader('content-security-policy');
    if (typeof csp === 'string')
      reply.raw.setHeader(
        'content-security-policy',
        csp.replace(/(^|;)style-src 'self'(;|$)/, "$1style-src 'self' 'unsafe-inline'$2"),
      );
  });

  // API answers carry session-scoped data: no browser or proxy may keep a copy.
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
});
