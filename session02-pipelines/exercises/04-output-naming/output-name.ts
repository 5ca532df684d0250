import { access } from 'node:fs/promises';
import path from 'node:path';
import { describeValue, InvalidOptionError, type OutputFormat } from '@workbook/session01';

/** Options of {@link outputNameFor}. */
export interface OutputNameOptions {
  /** File name pattern with `{name}`, `{pipeline}`, `{ext}`, e.g. `{name}-{pipeline}.{ext}`. */
  pattern: string;
  /** The pipeline's name, for `{pipeline}`. */
  pipeline: string;
  /** The output format; `{ext}` is its usual extension (`jpeg` → `jpg`). */
  format: OutputFormat;
}

const TOKENS = ['name', 'pipeline', 'ext'];
const EXTENSIONS: Record<OutputFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
};

/**
 * Where the output of `relativeInput` goes, relative to the output folder: the same sub-folder,
 * with the file name built from the pattern.
 *
 * @example outputNameFor('cats/tom.jpeg', { pattern: '{name}-{pipeline}.{ext}', pipeline: 'thumb', format: 'webp' })
 * // 'cats/tom-thumb.webp'
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a pattern without `{name}`, with folders
 *   (`/`, `\`, `..`) or with an unknown token; the message shows the pattern (`describeValue`).
 */
export function outputNameFor(relativeInput: string, options: OutputNameOptions): string {
  // 🐨 Your code here: the README lists what each token becomes and what to refuse.
  throw new Error('🐨 TODO (02.4): outputNameFor() — build the output name from the pattern');
}

/**
 * Skip-existing: the planned images whose output does not exist yet in `outputDir`, in order.
 * Re-running a batch after a crash then does only the work that is left.
 */
export async function pendingImages<T extends { output: string }>(
  outputDir: string,
  planned: T[],
): Promise<T[]> {
  // 🐨 Your code here (`pnpm hint 02.4` when stuck).
  throw new Error('🐨 TODO (02.4): pendingImages() — leave out images whose output exists');
}
