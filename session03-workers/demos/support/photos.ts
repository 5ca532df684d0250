/** Inputs and pipelines shared by the session 03 demos. */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { PipelineSpec } from '@workbook/session02';
import type { NewTask } from '@workbook/session03';
import { fixturePhotos } from '@workbook/tools/testkit';

/**
 * Empties `outDir`, copies `count` course photos (from the `offset`-th, cycling if more are
 * asked for) into `<outDir>/in` and returns their file names. Reading them once also puts them in the OS file cache,
 * so no timed run pays for the first read from disk.
 */
export function stagePhotos(
  outDir: string,
  count: number,
  offset = 0,
): { inDir: string; names: string[] } {
  const inDir = path.join(outDir, 'in');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(inDir, { recursive: true });
  const photos = fixturePhotos();
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    const source = photos[(n + offset) % photos.length]!;
    const name = n < photos.length ? path.basename(source) : `${n}-${path.basename(source)}`;
    copyFileSync(source, path.join(inDir, name));
    readFileSync(path.join(inDir, name));
    names.push(name);
  }
  return { inDir, names };
}

/** Tasks for `names`, writing `<name>.<ext>` (paths relative to the worker's roots). */
export function tasksFor(names: string[], pipeline: PipelineSpec, outSubdir = ''): NewTask[] {
  const ext = pipeline.output?.format === 'jpeg' ? 'jpg' : (pipeline.output?.format ?? 'png');
  return names.map((name) => ({
    pipeline,
    input: name,
    output: path.join(outSubdir, `${name.replace(/\.[^.]+$/, '')}.${ext}`),
  }));
}
