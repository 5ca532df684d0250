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
 */
export function outputNameFor(relativeInput: string, options: OutputNameOptions): string {
  // 🐨 1. Check the pattern; throw InvalidOptionError (message with describeValue(pattern)) when
  //       - it has no {name} (every image would get the same file name),
  //       - it contains '/', '\\' or '..' (a pattern names a file, not folders),
  //       - it has a token other than {name}, {pipeline}, {ext}.
  // 🐨 2. Split the input with path.parse(relativeInput): keep `dir`, use `name` (no extension).
  // 🐨 3. Replace every token, then return path.join(dir, fileName).
  // 💰 pattern.matchAll(/\{([^}]*)\}/g) finds the tokens; EXTENSIONS maps format → extension.
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
  // 🐨 Keep the items whose `path.join(outputDir, item.output)` does NOT exist
  //    (`access()` rejects when it is missing). Keep the original order.
  throw new Error('🐨 TODO (02.4): pendingImages() — leave out images whose output exists');
}
