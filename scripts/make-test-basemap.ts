/**
 * Writes the test suite's small district basemap (server/testing/district-basemap.ts: roads,
 * water, buildings around 中关村, zoom 14–16) to a file, to try the console with it:
 *
 *   npx tsx scripts/make-test-basemap.ts /tmp/district.pmtiles
 *   MAP_PMTILES=/tmp/district.pmtiles npm start
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDistrictBasemap } from '../server/testing/district-basemap.ts';

const out = path.resolve(process.argv[2] ?? 'district.pmtiles');
const built = buildDistrictBasemap();
writeFileSync(out, built.archive);
console.log(
  `wrote ${out}: ${built.tiles.length} tiles, ${built.archive.length} bytes, around ` +
    `${built.centre.lng}, ${built.centre.lat} (zoom 14–16)`,
);
