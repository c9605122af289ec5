import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';

/** A stored snapshot: its content hash names it (and its URL). */
export type StoredSnapshot = { sha256: string; mime: string };

const EXT: Record<string, string> = { 'image/jpeg': 'jpg' };
const MIME: Record<string, string> = { jpg: 'image/jpeg' };
const SHA = /^[0-9a-f]{64}$/;

/**
 * Camera snapshots (the image part of a Hikvision multipart alarm), content-addressed under
 * DATA_DIR/video-snapshots. Written to a temporary file, fsynced, renamed and the directory
 * fsynced before the intake answers 202: the alert that names it may be committed a moment later
 * by another process, and a crash in between must not leave it pointing at nothing. The same
 * image twice is one file.
 */
export class SnapshotStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'video-snapshots');
  }

  async put(bytes: Uint8Array, mime: string): Promise<StoredSnapshot> {
    const ext = EXT[mime];
    if (!ext) throw new Error(`snapshot type ${mime} is not kept`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await mkdir(this.dir, { recursive: true });
    const final = path.join(this.dir, `${sha256}.${ext}`);
    const tmp = `${final}.${process.pid}.${Date.now()}.tmp`;
    const f = await open(tmp, 'w');
    try {
      await f.writeFile(bytes);
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, final);
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    return { sha256, mime };
  }

  /** The snapshot's bytes, or null for a name that is not one (or not here). */
  async get(sha256: string): Promise<{ bytes: Buffer; mime: string } | null> {
    if (!SHA.test(sha256)) return null;
    for (const [ext, mime] of Object.entries(MIME)) {
      try {
        return { bytes: await readFile(path.join(this.dir, `${sha256}.${ext}`)), mime };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return null;
  }
}

/** Where operators fetch a stored snapshot (the alert's `snapshotUrl`). */
export const snapshotPath = (sha256: string) => `/api/v1/video-snapshots/${sha256}`;
