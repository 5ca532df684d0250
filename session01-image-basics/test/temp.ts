import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder for one test file's inputs and outputs (never inside the repo). */
export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'workbook-s01-'));
}

/** Writes `data` to `dir/name` and returns the path. */
export function writeTemp(dir: string, name: string, data: Buffer | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}
