/**
 * `GET|HEAD /basemap/district.pmtiles`: the district's PMTiles file by HTTP byte ranges (RFC
 * 9110 §14), which is all the browser's `pmtiles` reader needs: it reads the first 16 KiB, then
 * a directory or a tile at a time.
 *
 * Behind a session, like every map view: tiles are no secret in themselves, but a centre's own
 * GIS export may hold what must not be published (restricted sites, details beyond the approved
 * public map), and every page that draws the map is behind the login anyway; the reader's fetch
 * is same-origin, so the session cookie goes with it at no cost. Hence `private` caching: a
 * browser may keep the ranges for an hour, a shared proxy must not. When the file is replaced,
 * its ETag changes; the reader then sees a mismatch and reloads past the browser cache.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_BODY } from '../../shared/protocol.ts';
import type { AuthService } from '../identity/auth.service.ts';
import { identify, requireAnyUser } from '../identity/auth.plugin.ts';
import { described, errors, SESSION_ERRORS } from '../infra/http/answers.ts';
import { TAGS } from '../infra/http/openapi.ts';
import { BASEMAP_PATH, type BasemapService, type OpenBasemap } from './basemap.service.ts';
import { parseRange, type RangeAnswer } from './byte-range.ts';

/** The media type the PMTiles spec gives archives. */
export const PMTILES_TYPE = 'application/vnd.pmtiles';
export const BASEMAP_CACHE = 'private, max-age=3600';

const Bytes = (what: string) => ({
  description: what,
  content: { [PMTILES_TYPE]: { schema: z.string().describe('bytes of the archive') } },
});

/** `If-None-Match: "a", "b"` or `*` against our strong tag (weak tags compare weakly, per RFC 9110). */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** `If-Range`: the range only if the file is still the one the client has; else the whole file. */
function rangeStillValid(header: string | undefined, f: OpenBasemap): boolean {
  if (!header) return true;
  const h = header.trim();
  if (h.startsWith('"')) return h === f.etag;
  // A date validator: our mtime is known to the second only, as Last-Modified is.
  const t = Date.parse(h);
  return Number.isFinite(t) && Math.floor(f.mtime.getTime() / 1000) <= Math.floor(t / 1000);
}

export default async function basemapRoutes(
  fastify: FastifyInstance,
  { basemap, auth }: { basemap: BasemapService; auth: AuthService },
) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  async function answer(req: FastifyRequest, reply: FastifyReply) {
    const f = await basemap.open();
    let streaming = false;
    try {
      reply
        .header('accept-ranges', 'bytes')
        .header('etag', f.etag)
        .header('last-modified', f.mtime.toUTCString())
        .header('cache-control', BASEMAP_CACHE);
      if (noneMatch(req.headers['if-none-match'], f.etag)) return reply.code(304).send();

      let range: RangeAnswer = parseRange(req.headers.range, f.size);
      const ifRange = req.headers['if-range'];
      if (range.kind !== 'whole' && !rangeStillValid(typeof ifRange === 'string' ? ifRange : undefined, f))
        range = { kind: 'whole' };
      if (range.kind === 'unsatisfiable')
        // The size in Content-Range is what the reader needs to ask again within the file.
        return reply
          .code(416)
          .header('content-range', `bytes */${f.size}`)
          .send({ error: 'range_not_satisfiable', message: `the archive has ${f.size} bytes` });

      const [start, end] = range.kind === 'part' ? [range.start, range.end] : [0, f.size - 1];
      reply
        .code(range.kind === 'part' ? 206 : 200)
        .type(PMTILES_TYPE)
        .header('content-length', String(end - start + 1));
      if (range.kind === 'part') reply.header('content-range', `bytes ${start}-${end}/${f.size}`);
      if (req.method === 'HEAD' || end < start) return reply.send();
      streaming = true;
      return reply.send(f.stream(start, end));
    } finally {
      if (!streaming) await f.close();
    }
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: BASEMAP_PATH,
    // Outside /api/, so the session is looked up here (auth.plugin.ts does it for /api/ only).
    onRequest: async (req) => identify(auth, req),
    preHandler: requireAnyUser(),
    schema: {
      tags: [TAGS.state],
      summary: "The district's vector basemap (MAP_PMTILES), by byte ranges",
      description:
        "A PMTiles v3 archive read by the console's `pmtiles` reader. `Range: bytes=a-b` (one range) → 206 " +
        'with Content-Range; a range past the end → 416 with `Content-Range: bytes */size`; several ranges or ' +
        'none → the whole file. ETag/Last-Modified, If-None-Match (304), If-Range; HEAD gives the headers. ' +
        '404 when no basemap is configured.',
      response: {
        200: Bytes('the whole archive'),
        206: Bytes('the range asked for'),
        304: described(z.null(), 'not modified: the ETag matches'),
        416: described(ERROR_BODY, 'range not satisfiable: Content-Range says the size'),
        ...errors(404, ...SESSION_ERRORS),
      },
    },
    handler: answer,
  });
}
