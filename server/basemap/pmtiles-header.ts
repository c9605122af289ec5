/**
 * The PMTiles v3 header (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): what
 * the server checks before it serves a district file, so that a wrong file is refused at start
 * with a sentence instead of showing up as a blank map in every browser.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The fixed header is 127 bytes; the spec puts it and the root directory in the first 16 KiB. */
export const HEADER_BYTES = 127;
export const ROOT_WITHIN_BYTES = 16_384;
/** "PMTiles" followed by the spec version byte. */
export const MAGIC = 'PMTiles';
export const SPEC_VERSION = 3;

/** Compression codes of the header (internal: directories and metadata; tile: each tile). */
export const Compression = { unknown: 0, none: 1, gzip: 2, brotli: 3, zstd: 4 } as const;
/** Tile type codes of the header. */
export const TileType = { unknown: 0, mvt: 1, png: 2, jpeg: 3, webp: 4, avif: 5, mlt: 6 } as const;

const nameOf = (table: Record<string, number>, code: number): string =>
  Object.entries(table).find(([, v]) => v === code)?.[0] ?? `code ${code}`;

/**
 * What the browser's reader (the `pmtiles` package) can decode: no compression or gzip (it has
 * no brotli or zstd), and the style draws vector tiles only.
 */
const READABLE_COMPRESSION: number[] = [Compression.none, Compression.gzip, Compression.unknown];

export type PmtilesHeader = {
  specVersion: number;
  rootDirectoryOffset: number;
  rootDirectoryLength: number;
  jsonMetadataOffset: number;
  jsonMetadataLength: number;
  leafDirectoryOffset: number;
  leafDirectoryLength: number;
  tileDataOffset: number;
  tileDataLength: number;
  numAddressedTiles: number;
  numTileEntries: number;
  numTileContents: number;
  clustered: boolean;
  internalCompression: number;
  tileCompression: number;
  tileType: number;
  minZoom: number;
  maxZoom: number;
  /** [minLon, minLat, maxLon, maxLat] in degrees. */
  bounds: [number, number, number, number];
  center: { lon: number; lat: number; zoom: number };
};

/** A district file that cannot be served: the message says what is wrong and what to do. */
export class BasemapFileError extends Error {
  constructor(file: string, why: string) {
    super(`refusing to start: MAP_PMTILES=${file} ${why}`);
    this.name = 'BasemapFileError';
  }
}

// Offsets and lengths are little-endian u64; a district file is far below 2^53 bytes.
const u64 = (v: DataView, at: number): number => v.getUint32(at + 4, true) * 2 ** 32 + v.getUint32(at, true);
const e7 = (v: DataView, at: number): number => v.getInt32(at, true) / 1e7;

/** Reads the 127-byte header; throws a plain Error naming the first thing that is not PMTiles v3. */
export function parseHeader(bytes: Uint8Array): PmtilesHeader {
  if (bytes.length < HEADER_BYTES) throw new Error(`is ${bytes.length} bytes, shorter than a PMTiles header`);
  if (Buffer.from(bytes.subarray(0, 7)).toString('latin1') !== MAGIC)
    throw new Error('is not a PMTiles archive (its first bytes are not "PMTiles")');
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const specVersion = v.getUint8(7);
  if (specVersion !== SPEC_VERSION)
    throw new Error(
      `is PMTiles version ${specVersion}; convert it to v3 (\`pmtiles convert old.pmtiles district.pmtiles\`)`,
    );
  return {
    specVersion,
    rootDirectoryOffset: u64(v, 8),
    rootDirectoryLength: u64(v, 16),
    jsonMetadataOffset: u64(v, 24),
    jsonMetadataLength: u64(v, 32),
    leafDirectoryOffset: u64(v, 40),
    leafDirectoryLength: u64(v, 48),
    tileDataOffset: u64(v, 56),
    tileDataLength: u64(v, 64),
    numAddressedTiles: u64(v, 72),
    numTileEntries: u64(v, 80),
    numTileContents: u64(v, 88),
    clustered: v.getUint8(96) === 1,
    internalCompression: v.getUint8(97),
    tileCompression: v.getUint8(98),
    tileType: v.getUint8(99),
    minZoom: v.getUint8(100),
    maxZoom: v.getUint8(101),
    bounds: [e7(v, 102), e7(v, 106), e7(v, 110), e7(v, 114)],
    center: { zoom: v.getUint8(118), lon: e7(v, 119), lat: e7(v, 123) },
  };
}

/** What else must hold for the console to draw the file: sections inside it, codecs it can read. */
export function headerProblems(h: PmtilesHeader, fileSize: number): string[] {
  const problems: string[] = [];
  if (h.tileType !== TileType.mvt)
    problems.push(
      `holds ${nameOf(TileType, h.tileType)} tiles; the console draws vector (MVT) basemaps: ` +
        'serve raster tiles through MAP_STYLE_URL instead',
    );
  for (const [what, code] of [
    ['directories', h.internalCompression],
    ['tiles', h.tileCompression],
  ] as const)
    if (!READABLE_COMPRESSION.includes(code))
      problems.push(
        `has ${what} compressed with ${nameOf(Compression, code)}, which browsers cannot read: ` +
          'rewrite it with gzip (`pmtiles convert`)',
      );
  if (h.rootDirectoryOffset + h.rootDirectoryLength > ROOT_WITHIN_BYTES)
    problems.push('has its root directory past the first 16 KiB, against the v3 spec');
  const sections: [string, number, number][] = [
    ['root directory', h.rootDirectoryOffset, h.rootDirectoryLength],
    ['metadata', h.jsonMetadataOffset, h.jsonMetadataLength],
    ['leaf directories', h.leafDirectoryOffset, h.leafDirectoryLength],
    ['tile data', h.tileDataOffset, h.tileDataLength],
  ];
  for (const [what, offset, length] of sections)
    if (offset + length > fileSize)
      problems.push(`is cut short: its ${what} ends at byte ${offset + length} of ${fileSize}`);
  if (h.minZoom > h.maxZoom) problems.push(`has min zoom ${h.minZoom} above max zoom ${h.maxZoom}`);
  return problems;
}

/**
 * Opens the configured file and checks its header: missing, unreadable, not PMTiles v3, or not
 * drawable by the console all refuse the start with the reason (BasemapFileError).
 */
export function checkBasemapFile(file: string): { header: PmtilesHeader; size: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BasemapFileError(
      file,
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BasemapFileError(file, 'is not a file');
    const bytes = new Uint8Array(HEADER_BYTES);
    const got = readSync(fd, bytes, 0, HEADER_BYTES, 0);
    let header: PmtilesHeader;
    try {
      header = parseHeader(bytes.subarray(0, got));
    } catch (e) {
      throw new BasemapFileError(file, (e as Error).message);
    }
    const problems = headerProblems(header, st.size);
    if (problems.length) throw new BasemapFileError(file, problems.join('; '));
    return { header, size: st.size };
  } finally {
    closeSync(fd);
  }
}
