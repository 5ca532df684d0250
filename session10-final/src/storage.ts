/**
 * The storage folder shared by the API and the workers (a volume in Compose and Kubernetes):
 * `uploads/<job id>.<format>` is the workers' INPUT_ROOT, `results/<job id>.<format>` their
 * OUTPUT_ROOT. Every name is made by the API from the job id, never from what a client sent.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ID = /^[A-Za-z0-9-]{1,64}$/;

/** The two folders and the names in them. */
export class Storage {
  readonly root: string;
  readonly uploads: string;
  readonly results: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.uploads = path.join(this.root, 'uploads');
    this.results = path.join(this.root, 'results');
    mkdirSync(this.uploads, { recursive: true });
    mkdirSync(this.results, { recursive: true });
  }

  /** The upload's name, relative to `uploads/` (what the task's `input` says). */
  uploadName(jobId: string, format: string): string {
    return `${checkId(jobId)}.${extensionOf(format)}`;
  }

  /** The result's name, relative to `results/` (what the task's `output` says). */
  resultName(jobId: string, format: string): string {
    return `${checkId(jobId)}.${extensionOf(format)}`;
  }

  /** Writes an upload (the file the worker will read). */
  async saveUpload(name: string, data: Buffer): Promise<void> {
    await writeFile(path.join(this.uploads, path.basename(name)), data, { mode: 0o640 });
  }

  /** The absolute path of an upload, by its name. */
  uploadPath(name: string): string {
    return path.join(this.uploads, path.basename(name));
  }

  /** The absolute path of a result, by its name. */
  resultPath(name: string): string {
    return path.join(this.results, path.basename(name));
  }

  /**
   * Deletes uploads and results older than `retentionMs` (by modification time).
   * @returns how many files were deleted.
   */
  async cleanup(retentionMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const dir of [this.uploads, this.results]) {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        try {
          if (now - statSync(file).mtimeMs > retentionMs) {
            await rm(file, { force: true });
            removed += 1;
          }
        } catch {
          // Gone meanwhile (another replica cleaned it): nothing to do.
        }
      }
    }
    return removed;
  }
}

function checkId(id: string): string {
  if (!ID.test(id)) throw new Error(`not a job id: ${JSON.stringify(id)}`);
  return id;
}

/** The file extension of an image format. */
export function extensionOf(format: string): string {
  if (format === 'jpeg') return 'jpg';
  if (format === 'heif') return 'heic';
  return /^[a-z0-9]{1,8}$/.test(format) ? format : 'bin';
}

/** The content type of a result by its extension. */
export function contentTypeOf(name: string): string {
  const ext = path.extname(name).slice(1);
  const types: Record<string, string> = {
    jpg: 'image/jpeg',
    png: 'image/png',
    webp: 'image/webp',
    avif: 'image/avif',
    gif: 'image/gif',
    heic: 'image/heif',
    svg: 'image/svg+xml',
    tiff: 'image/tiff',
  };
  return types[ext] ?? 'application/octet-stream';
}
