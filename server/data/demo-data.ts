import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Camera } from '../../shared/camera.ts';
import { GridCollection } from '../../shared/grid.ts';
import { Plan } from '../../shared/plan.ts';
import { ResourceSeed } from '../../shared/resource.ts';

export interface DemoData {
  grids: GridCollection;
  cameras: Camera[];
  resources: ResourceSeed[];
  plans: Plan[];
}

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
const DEMO_DIR = here('./demo/');
const PLANS_DIR = here('./plans/');

/** Thrown when a data file is missing, is not JSON, or fails its schema. */
export class DemoDataError extends Error {
  readonly file: string;

  constructor(file: string, detail: string) {
    super(`demo data ${file}: ${detail}`);
    this.name = 'DemoDataError';
    this.file = file;
  }
}

/** Reads one JSON file and validates it; exported for tests. */
export async function readValidated<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new DemoDataError(file, (err as Error).message);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    // The first few issues with their paths are enough to find the bad field; all 643 grids
    // failing the same way would otherwise print a wall of text.
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    const more = parsed.error.issues.length > 5 ? ` (+${parsed.error.issues.length - 5} more)` : '';
    throw new DemoDataError(file, `invalid field ${issues}${more}`);
  }
  return parsed.data;
}

/** Loads and validates the demo district, its cameras and resources, and the plan library. */
export async function loadDemoData(): Promise<DemoData> {
  const planFiles = (await readdir(PLANS_DIR)).filter((f) => f.endsWith('.json')).sort();
  const [grids, cameras, resources, plans] = await Promise.all([
    readValidated(DEMO_DIR + 'grids.geojson', GridCollection),
    readValidated(DEMO_DIR + 'cameras.json', z.array(Camera)),
    readValidated(DEMO_DIR + 'resources.json', z.array(ResourceSeed)),
    Promise.all(planFiles.map((f) => readValidated(PLANS_DIR + f, Plan))),
  ]);
  return { grids, cameras, resources, plans };
}
