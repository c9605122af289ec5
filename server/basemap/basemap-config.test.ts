/**
 * MAP_PMTILES: the path in the config, and the start refused with a reason when the file is
 * missing or is not a PMTiles v3 archive the console can draw. Byte ranges as the route reads them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { buildDistrictBasemap } from '../testing/district-basemap.ts';
import { BasemapService } from './basemap.service.ts';
import { parseRange } from './byte-range.ts';
import { BasemapFileError, checkBasemapFile, Compression, TileType } from './pmtiles-header.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pz-basemap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const good = buildDistrictBasemap().archive;

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
/** The good archive with one header byte changed. */
function patched(name: string, at: number, value: number): string {
  const b = Buffer.from(good);
  b[at] = value;
  return file(name, b);
}
const refusal = (p: string): string => {
  try {
    checkBasemapFile(p);
  } catch (e) {
    expect(e).toBeInstanceOf(BasemapFileError);
    return (e as Error).message;
  }
  throw new Error(`${p} was accepted`);
};

describe('MAP_PMTILES', () => {
  it('is an absolute path in the config, or null when unset or blank', () => {
    expect(loadConfig({}).basemapPath).toBeNull();
    expect(loadConfig({ MAP_PMTILES: '  ' }).basemapPath).toBeNull();
    const c = loadConfig({ MAP_PMTILES: 'maps/district.pmtiles' });
    expect(c.basemapPath).toBe(path.resolve('maps/district.pmtiles'));
  });

  it('accepts a PMTiles v3 vector archive and reads its header', () => {
    const { header, size } = checkBasemapFile(file('ok.pmtiles', good));
    expect(size).toBe(good.length);
    expect(header.tileType).toBe(TileType.mvt);
    expect([header.minZoom, header.maxZoom]).toEqual([14, 16]);
    expect(new BasemapService(path.join(dir, 'ok.pmtiles')).url()).toBe('/basemap/district.pmtiles');
    expect(new BasemapService(null).url()).toBeNull();
  });

  it('refuses, saying why: missing, not PMTiles, another version, raster, codecs, cut short', () => {
    expect(refusal(path.join(dir, 'nowhere.pmtiles'))).toMatch(
      /MAP_PMTILES=.*nowhere\.pmtiles does not exist/,
    );
    expect(refusal(dir)).toMatch(/is not a file/);
    expect(refusal(file('short.pmtiles', Buffer.from('PMTiles')))).toMatch(/shorter than a PMTiles header/);
    expect(refusal(file('png.pmtiles', Buffer.alloc(200, 0x89)))).toMatch(/not a PMTiles archive/);
    expect(refusal(patched('v2.pmtiles', 7, 2))).toMatch(/version 2; convert it to v3/);
    expect(refusal(patched('raster.pmtiles', 99, TileType.png))).toMatch(/png tiles.*MAP_STYLE_URL/);
    expect(refusal(patched('zstd.pmtiles', 98, Compression.zstd))).toMatch(/tiles compressed with zstd/);
    expect(refusal(patched('br.pmtiles', 97, Compression.brotli))).toMatch(
      /directories compressed with brotli/,
    );
    expect(refusal(file('cut.pmtiles', good.subarray(0, good.length - 10)))).toMatch(
      /cut short: its tile data/,
    );
    // the service refuses the same way: a container with a wrong file never starts
    expect(() => new BasemapService(path.join(dir, 'v2.pmtiles'))).toThrow(BasemapFileError);
  });
});

describe('Range header', () => {
  const size = 1000;
  it('one range, clamped to the file', () => {
    expect(parseRange('bytes=0-99', size)).toEqual({ kind: 'part', start: 0, end: 99 });
    expect(parseRange('bytes=0-16383', size)).toEqual({ kind: 'part', start: 0, end: 999 });
    expect(parseRange('bytes=900-', size)).toEqual({ kind: 'part', start: 900, end: 999 });
    expect(parseRange('bytes=-10', size)).toEqual({ kind: 'part', start: 990, end: 999 });
    expect(parseRange('bytes=-5000', size)).toEqual({ kind: 'part', start: 0, end: 999 });
    expect(parseRange(' Bytes = 5-5', size)).toEqual({ kind: 'part', start: 5, end: 5 });
  });
  it('past the end: unsatisfiable', () => {
    expect(parseRange('bytes=1000-1001', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=0-0', 0)).toEqual({ kind: 'unsatisfiable' });
  });
  it('none, several, another unit or garbage: the whole file (a server may ignore Range)', () => {
    for (const h of [undefined, 'bytes=0-1,5-6', 'items=0-1', 'bytes=', 'bytes=-', 'bytes=9-3', 'bytes=a-b'])
      expect(parseRange(h, size), String(h)).toEqual({ kind: 'whole' });
  });
});
