/**
 * The test archive, read back by the `pmtiles` package's own reader (the one the console runs):
 * header, directory, metadata and every tile, decoded as vector tiles with the layers the
 * Protomaps style draws.
 */
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { Compression as PmCompression, PMTiles, TileType as PmTileType, type Source } from 'pmtiles';
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../basemap/pmtiles-header.ts';
import { buildDistrictBasemap, MAX_ZOOM, MIN_ZOOM, ROADS } from './district-basemap.ts';
import { serializeDirectory, writePmtiles, writeVarint } from './pmtiles-writer.ts';

/** A Source over a buffer in memory, as the reader's FileSource is over a browser File. */
function bufferSource(buf: Buffer): Source & { reads: [number, number][] } {
  const reads: [number, number][] = [];
  return {
    reads,
    getKey: () => 'memory',
    async getBytes(offset: number, length: number) {
      reads.push([offset, length]);
      const slice = buf.subarray(offset, offset + length);
      return { data: slice.buffer.slice(slice.byteOffset, slice.byteOffset + slice.length) as ArrayBuffer };
    },
  };
}

const decode = (data: ArrayBuffer) => new VectorTile(new PbfReader(new Uint8Array(data)));

describe('PMTiles v3 writer (test archives)', () => {
  it('writes varints as the spec does (LEB128), past 32 bits too', () => {
    const out: number[] = [];
    for (const n of [0, 127, 128, 300, 2 ** 35 + 5]) writeVarint(out, n);
    expect(out.slice(0, 5)).toEqual([0, 0x7f, 0x80, 0x01, 0xac]);
    expect(out.slice(5, 6)).toEqual([0x02]);
    // 2^35 + 5: low 7 bits 5 with the continuation bit, then zeros, then 2^35 >> 35 = 1
    expect(out.slice(6)).toEqual([0x85, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('encodes a directory as columns: id deltas, runs, lengths, offsets (0 = contiguous)', () => {
    const dir = serializeDirectory([
      { tileId: 5, offset: 0, length: 10, runLength: 1 },
      { tileId: 6, offset: 10, length: 4, runLength: 2 },
      { tileId: 9, offset: 0, length: 10, runLength: 1 },
    ]);
    expect([...dir]).toEqual([3, 5, 1, 3, 1, 2, 1, 10, 4, 10, 1, 0, 1]);
  });

  for (const codec of ['gzip', 'none'] as const) {
    it(`the pmtiles reader reads every tile back (${codec})`, async () => {
      const built = buildDistrictBasemap({ tileCompression: codec, internalCompression: codec });
      const src = bufferSource(built.archive);
      const reader = new PMTiles(src);
      const h = await reader.getHeader();
      expect(h.specVersion).toBe(3);
      expect(h.tileType).toBe(PmTileType.Mvt);
      const want = codec === 'gzip' ? PmCompression.Gzip : PmCompression.None;
      expect(h.tileCompression).toBe(want);
      expect(h.internalCompression).toBe(want);
      expect([h.minZoom, h.maxZoom]).toEqual([MIN_ZOOM, MAX_ZOOM]);
      expect(h.numAddressedTiles).toBe(built.tiles.length);
      expect(h.minLon).toBeLessThan(built.centre.lng);
      expect(h.maxLat).toBeGreaterThan(built.centre.lat);
      expect(h.clustered).toBe(true);
      // the first read is the reader's 16 KiB prefetch: header and root directory in one
      expect(src.reads[0]).toEqual([0, 16_384]);

      const meta = (await reader.getMetadata()) as { vector_layers: { id: string }[] };
      expect(meta.vector_layers.map((l) => l.id).sort()).toEqual(
        ['buildings', 'earth', 'landuse', 'places', 'roads', 'water'].sort(),
      );

      for (const t of built.tiles) {
        const got = await reader.getZxy(t.z, t.x, t.y);
        expect(got, `${t.z}/${t.x}/${t.y}`).toBeDefined();
        expect(Buffer.from(got!.data).equals(Buffer.from(t.data))).toBe(true);
      }
      // a tile outside the district is simply not there
      expect(await reader.getZxy(16, 0, 0)).toBeUndefined();
      // and our own header parser agrees with the reader's
      const ours = parseHeader(built.archive.subarray(0, 127));
      expect(ours.numTileEntries).toBe(h.numTileEntries);
      expect(ours.tileDataOffset).toBe(h.tileDataOffset);
    });
  }

  it('the tiles are vector tiles in the Protomaps layers, with the Chinese road names', async () => {
    const built = buildDistrictBasemap();
    const reader = new PMTiles(bufferSource(built.archive));
    const names = new Set<string>();
    const layers = new Set<string>();
    for (const t of built.tiles.filter((x) => x.z === 16)) {
      const tile = decode((await reader.getZxy(t.z, t.x, t.y))!.data);
      for (const [name, layer] of Object.entries(tile.layers)) {
        layers.add(name);
        for (let i = 0; i < layer.length; i++) {
          const p = layer.feature(i).properties;
          if (name === 'roads') {
            expect(['highway', 'major_road', 'minor_road']).toContain(p.kind);
            names.add(String(p.name));
          }
        }
      }
    }
    expect([...names].sort()).toEqual(ROADS.map((r) => r.name).sort());
    for (const l of ['roads', 'water', 'buildings', 'earth']) expect(layers).toContain(l);
  });

  it('stores identical tiles once', () => {
    const same = new Uint8Array([1, 2, 3]);
    const other = new Uint8Array([4, 5]);
    const buf = writePmtiles({
      tiles: [
        { z: 1, x: 0, y: 0, data: same },
        { z: 1, x: 0, y: 1, data: same },
        { z: 1, x: 1, y: 1, data: other },
        { z: 1, x: 1, y: 0, data: same },
      ],
      metadata: {},
      bounds: [-1, -1, 1, 1],
      center: { lon: 0, lat: 0, zoom: 1 },
      tileCompression: 'none',
      internalCompression: 'none',
    });
    const h = parseHeader(buf);
    expect(h.numAddressedTiles).toBe(4);
    expect(h.numTileContents).toBe(2);
    // z1 in Hilbert order: (0,0) (0,1) (1,1) (1,0); the first two are one run
    expect(h.numTileEntries).toBe(3);
    expect(h.tileDataLength).toBe(5);
  });

  it('gzip tiles really are gzip (the header is not lying)', () => {
    const built = buildDistrictBasemap({ tileCompression: 'gzip' });
    const h = parseHeader(built.archive);
    const first = built.archive.subarray(h.tileDataOffset, h.tileDataOffset + 2);
    expect([...first]).toEqual([0x1f, 0x8b]);
    const meta = built.archive.subarray(h.jsonMetadataOffset, h.jsonMetadataOffset + h.jsonMetadataLength);
    expect(JSON.parse(gunzipSync(meta).toString('utf8')).name).toBe('pingzhan-test-district');
  });
});
