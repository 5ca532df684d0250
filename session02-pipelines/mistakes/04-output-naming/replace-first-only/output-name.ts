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
  const { pattern } = options;
  const fail = (why: string): never => {
    throw new InvalidOptionError(
      `Expected a naming pattern like '{name}-{pipeline}.{ext}', got ${describeValue(pattern)}: ${why}`,
    );
  };
  if (!pattern.includes('{name}')) fail('it needs {name}, or every image gets the same file name');
  if (/[/\\]/.test(pattern) || pattern.includes('..')) fail('a pattern names a file, not folders');
  for (const [, token] of pattern.matchAll(/\{([^}]*)\}/g)) {
    if (!TOKENS.includes(token!)) fail(`unknown token {${token}}`);
  }
  const { dir, name } = path.parse(relativeInput);
  const file = pattern
    .replace('{name}', name)
    .replace('{pipeline}', options.pipeline)
    .replace('{ext}', EXTENSIONS[options.format]);
  return path.join(dir, file);
}

/**
 * Skip-existing: the planned images whose output does not exist yet in `outputDir`, in order.
 * Re-running a batch after a crash then does only the work that is left.
 */
export async function pendingImages<T extends { output: string }>(
  outputDir: string,
  planned: T[],
): Promise<T[]> {
  const exists = await Promise.all(
    planned.map((item) =>
      access(path.join(outputDir, item.output)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return planned.filter((_, index) => !exists[index]);
}
