/**
 * Writes a PMTiles v3 archive (spec: github.com/protomaps/PMTiles, spec/v3/spec.md) for tests:
 * the 127-byte header, one root directory of varint-encoded entries (no leaf directories: a test
 * archive has a few dozen tiles), the JSON metadata, then the tile data in tile-id order.
 * Identical tiles are stored once (a run for consecutive ids, an earlier offset otherwise), as
 * `pmtiles convert` does.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';
import {
  Compression,
  HEADER_BYTES,
  MAGIC,
  ROOT_WITHIN_BYTES,
  SPEC_VERSION,
  TileType,
} from '../basemap/pmtiles-header.ts';

export type TileInput = { z: number; x: number; y: number; data: Uint8Array };
export type Codec = 'none' | 'gzip';

export type ArchiveOptions = {
  tiles: TileInput[];
  /** The JSON metadata (TileJSON-like; a vector archive lists its `vector_layers`). */
  metadata: Record<string, unknown>;
  /** [minLon, minLat, maxLon, maxLat]. */
  bounds: [number, number, number, number];
  center: { lon: number; lat: number; zoom: number };
  /** How each tile is stored; the header says which. */
  tileCompression?: Codec;
  /** How the directory and the metadata are stored. */
  internalCompression?: Codec;
};

type Entry = { tileId: number; offset: number; length: number; runLength: number };

/** Unsigned LEB128, for values up to 2^53 (division, not bit shifts: those stop at 32 bits). */
export function writeVarint(out: number[], n: number): void {
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** The spec's directory: count, then each column for all entries (ids as deltas, offsets 0 = "right after the previous"). */
export function serializeDirectory(entries: Entry[]): Uint8Array {
  const out: number[] = [];
  writeVarint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    writeVarint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) writeVarint(out, e.runLength);
  for (const e of entries) writeVarint(out, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    writeVarint(out, i > 0 && e.offset === prev!.offset + prev!.length ? 0 : e.offset + 1);
  });
  return Uint8Array.from(out);
}

const squeeze = (bytes: Uint8Array, codec: Codec): Uint8Array =>
  codec === 'gzip' ? new Uint8Array(gzipSync(bytes)) : bytes;
const code = (codec: Codec): number => (codec === 'gzip' ? Compression.gzip : Compression.none);

function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n % 2 ** 32, true);
  v.setUint32(at + 4, Math.floor(n / 2 ** 32), true);
}

export function writePmtiles(o: ArchiveOptions): Buffer {
  const tileCodec = o.tileCompression ?? 'gzip';
  const internal = o.internalCompression ?? 'gzip';
  if (o.tiles.length === 0) throw new Error('an archive needs at least one tile');
  const tiles = o.tiles
    .map((t) => ({ ...t, tileId: zxyToTileId(t.z, t.x, t.y), bytes: squeeze(t.data, tileCodec) }))
    .sort((a, b) => a.tileId - b.tileId);

  const entries: Entry[] = [];
  const stored = new Map<string, { offset: number; length: number }>();
  const chunks: Uint8Array[] = [];
  let dataLength = 0;
  let lastHash = '';
  for (const t of tiles) {
    const hash = createHash('sha256').update(t.bytes).digest('hex');
    const prev = entries.at(-1);
    if (prev && hash === lastHash && t.tileId === prev.tileId + prev.runLength) {
      prev.runLength++;
      continue;
    }
    let at = stored.get(hash);
    if (!at) {
      at = { offset: dataLength, length: t.bytes.length };
      stored.set(hash, at);
      chunks.push(t.bytes);
      dataLength += t.bytes.length;
    }
    entries.push({ tileId: t.tileId, offset: at.offset, length: at.length, runLength: 1 });
    lastHash = hash;
  }

  const root = squeeze(serializeDirectory(entries), internal);
  if (HEADER_BYTES + root.length > ROOT_WITHIN_BYTES)
    throw new Error(
      'the root directory does not fit in the first 16 KiB (this writer has no leaf directories)',
    );
  const metadata = squeeze(new TextEncoder().encode(JSON.stringify(o.metadata)), internal);

  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + root.length;
  const leafOffset = metadataOffset + metadata.length;
  const dataOffset = leafOffset;

  const header = new Uint8Array(HEADER_BYTES);
  const v = new DataView(header.buffer);
  header.set(new TextEncoder().encode(MAGIC), 0);
  v.setUint8(7, SPEC_VERSION);
  setU64(v, 8, rootOffset);
  setU64(v, 16, root.length);
  setU64(v, 24, metadataOffset);
  setU64(v, 32, metadata.length);
  setU64(v, 40, leafOffset);
  setU64(v, 48, 0);
  setU64(v, 56, dataOffset);
  setU64(v, 64, dataLength);
  setU64(v, 72, tiles.length);
  setU64(v, 80, entries.length);
  setU64(v, 88, stored.size);
  // Tile data is in tile-id order, each content once: what the spec calls clustered.
  v.setUint8(96, 1);
  v.setUint8(97, code(internal));
  v.setUint8(98, code(tileCodec));
  v.setUint8(99, TileType.mvt);
  v.setUint8(100, Math.min(...tiles.map((t) => t.z)));
  v.setUint8(101, Math.max(...tiles.map((t) => t.z)));
  const [minLon, minLat, maxLon, maxLat] = o.bounds;
  v.setInt32(102, Math.round(minLon * 1e7), true);
  v.setInt32(106, Math.round(minLat * 1e7), true);
  v.setInt32(110, Math.round(maxLon * 1e7), true);
  v.setInt32(114, Math.round(maxLat * 1e7), true);
  v.setUint8(118, o.center.zoom);
  v.setInt32(119, Math.round(o.center.lon * 1e7), true);
  v.setInt32(123, Math.round(o.center.lat * 1e7), true);

  return Buffer.concat([header, root, metadata, ...chunks]);
}
