import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Camera } from '../../shared/camera.ts';
import { RESOURCE_TYPES } from '../../shared/resource.ts';
import { geometryArea, pointInGeometry } from '../geo/geometry.ts';
import { DemoDataError, loadDemoData, readValidated, type DemoData } from './demo-data.ts';

let data: DemoData;

beforeAll(async () => {
  data = await loadDemoData();
});

const byId = () => new Map(data.grids.features.map((f) => [f.properties.id, f]));
const ofLevel = (level: string) => data.grids.features.filter((f) => f.properties.level === level);

describe('demo grids', () => {
  it('has the 643 grids of the seed document: 1 district, 29 streets, 613 communities', () => {
    expect(data.grids.features).toHaveLength(643);
    expect(ofLevel('district')).toHaveLength(1);
    expect(ofLevel('street')).toHaveLength(29);
    expect(ofLevel('community')).toHaveLength(613);
    expect(byId().size).toBe(643);
  });

  it('links every grid to a parent one level up', () => {
    const grids = byId();
    const up = { district: null, street: 'district', community: 'street' } as const;
    for (const f of data.grids.features) {
      const { level, parentId, id } = f.properties;
      if (up[level] === null) {
        expect(parentId).toBeNull();
        expect(id).toBe('110108');
        continue;
      }
      expect(grids.get(parentId!)?.properties.level, id).toBe(up[level]);
      expect(id.startsWith(parentId!), id).toBe(true);
    }
  });

  it('tiles each parent with its children (areas add up)', () => {
    for (const parent of [...ofLevel('district'), ...ofLevel('street')]) {
      const kids = data.grids.features.filter((f) => f.properties.parentId === parent.properties.id);
      const sum = kids.reduce((a, f) => a + geometryArea(f.geometry), 0);
      expect(sum / geometryArea(parent.geometry)).toBeCloseTo(1, 9);
    }
  });
});

describe('demo cameras', () => {
  it('has about 200 cameras with unique ids and every kind', () => {
    expect(data.cameras.length).toBeGreaterThanOrEqual(180);
    expect(new Set(data.cameras.map((c) => c.id)).size).toBe(data.cameras.length);
    expect(new Set(data.cameras.map((c) => c.kind))).toEqual(new Set(Camera.shape.kind.options));
  });

  it('places every camera inside its stated community, in its stated street', () => {
    const grids = byId();
    for (const c of data.cameras) {
      const community = grids.get(c.communityId ?? '');
      expect(community, c.id).toBeDefined();
      expect(pointInGeometry(c.location.lng, c.location.lat, community!.geometry), c.id).toBe(true);
      expect(community!.properties.parentId).toBe(c.streetId);
    }
  });
});

describe('demo resources', () => {
  it('covers all 11 resource types with homes inside the district', () => {
    expect(new Set(data.resources.map((r) => r.type))).toEqual(new Set(RESOURCE_TYPES));
    expect(new Set(data.resources.map((r) => r.id)).size).toBe(data.resources.length);
    const district = ofLevel('district')[0];
    for (const r of data.resources) {
      expect(pointInGeometry(r.home.lng, r.home.lat, district.geometry), r.id).toBe(true);
    }
  });
});

describe('plans', () => {
  it('has the five core plans, each satisfiable from the demo resources', () => {
    const categories = new Set(data.plans.flatMap((p) => p.categories));
    for (const c of ['gas_leak', 'fire', 'flood', 'hazmat', 'crowd'] as const)
      expect(categories).toContain(c);
    expect(new Set(data.plans.map((p) => p.id)).size).toBe(data.plans.length);
    const stock = new Map<string, number>();
    for (const r of data.resources) stock.set(r.type, (stock.get(r.type) ?? 0) + 1);
    for (const p of data.plans) {
      expect(p.tasks.length, p.id).toBeGreaterThanOrEqual(5);
      expect(p.tasks.length, p.id).toBeLessThanOrEqual(8);
      expect(p.tasks.map((t) => t.order)).toEqual(p.tasks.map((_, i) => i + 1));
      for (const n of p.needs)
        expect(stock.get(n.type) ?? 0, `${p.id} ${n.type}`).toBeGreaterThanOrEqual(n.count);
    }
  });
});

describe('readValidated', () => {
  it('names the file and the bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pz-demo-'));
    const file = join(dir, 'cameras.json');
    await writeFile(file, JSON.stringify([{ id: 'CAM-1', name: 'x', location: { lng: 500, lat: 40 } }]));
    const err = await readValidated(file, z.array(Camera)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DemoDataError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('0.location.lng');
  });

  it('names the file when it is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pz-demo-'));
    const file = join(dir, 'broken.json');
    await writeFile(file, '{');
    await expect(readValidated(file, z.unknown())).rejects.toThrow(file);
  });
});
