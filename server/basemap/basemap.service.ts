/**
 * The district's basemap: one PMTiles file (MAP_PMTILES) that the console reads by byte ranges.
 * The file is checked when the server starts (pmtiles-header.ts) and re-opened for every read,
 * so an operator may replace it while the server runs (the validators change with it and the
 * browser's reader reloads, see basemap.routes.ts).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { notFound } from '../infra/domain-errors.ts';
import { checkBasemapFile } from './pmtiles-header.ts';

/** Where the console fetches the archive (the route's path; the client config names it). */
export const BASEMAP_PATH = '/basemap/district.pmtiles';

/** One opened version of the file: its validators and its bytes. Close it unless `stream` was taken. */
export type OpenBasemap = {
  size: number;
  mtime: Date;
  /** Strong: size and modification time, as static file servers make it. */
  etag: string;
  /** Bytes start..end inclusive; the stream closes the file when it ends or is destroyed. */
  stream(start: number, end: number): Readable;
  close(): Promise<void>;
};

export class BasemapService {
  /** @param file MAP_PMTILES, or null: no basemap, the console keeps its built-in style. */
  constructor(private readonly file: string | null) {
    // Refuse a wrong file at start, not in every browser later.
    if (file) checkBasemapFile(file);
  }

  /** The URL the console loads the archive from, or null when none is configured. */
  url(): string | null {
    return this.file ? BASEMAP_PATH : null;
  }

  async open(): Promise<OpenBasemap> {
    if (!this.file) throw notFound('basemap (MAP_PMTILES is not set)');
    let fh: FileHandle;
    try {
      fh = await open(this.file, 'r');
    } catch {
      // Removed or unreadable since the start: nothing to serve until it is back.
      throw notFound('basemap file');
    }
    try {
      const st = await fh.stat();
      const handle = fh;
      return {
        size: st.size,
        mtime: st.mtime,
        etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
        stream: (start, end) => handle.createReadStream({ start, end, autoClose: true }),
        close: () => handle.close(),
      };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
}
