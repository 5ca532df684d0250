/** Shared helpers of session 03's tests: temp folders, image tasks, an instrumented processor. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineSpec } from '@workbook/session02';
import { fixture, makeImage } from '@workbook/tools/testkit';
import sharp from 'sharp';
import type { NewTask, OutputInfo } from '../src/task.ts';
import type { TaskProcessor } from '../src/worker-types.ts';

/** A fresh temp folder with empty `in/` and `out/` subfolders. */
export function tempDirs(): { root: string; inDir: string; outDir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'session03-'));
  const inDir = path.join(root, 'in');
  const outDir = path.join(root, 'out');
  mkdirSync(inDir);
  mkdirSync(outDir);
  return { root, inDir, outDir };
}

/** Writes `count` small generated PNGs (`img-0.png`, ...) into `dir`; returns their names. */
export async function writeImages(dir: string, count: number, size = 96): Promise<string[]> {
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    const name = `img-${n}.png`;
    writeFileSync(
      path.join(dir, name),
      await makeImage({ width: size, height: size, fill: 'noise', seed: n + 1 }),
    );
    names.push(name);
  }
  return names;
}

/** Copies the course's truncated JPEG into `dir` as `corrupt.jpg`. */
export function writeCorruptImage(dir: string): string {
  copyFileSync(fixture('hostile/truncated.jpg'), path.join(dir, 'corrupt.jpg'));
  return 'corrupt.jpg';
}

/** A small real pipeline: resize, blur, webp. */
export const SMALL_PIPELINE: PipelineSpec = {
  steps: [
    { name: 'resize', params: { width: 48 } },
    { name: 'blur', params: { sigma: 1 } },
  ],
  output: { format: 'webp', quality: 80 },
};

/** An image task with input and output relative to the worker's roots. */
export function imageTask(input: string, output: string, pipeline = SMALL_PIPELINE): NewTask {
  return { pipeline, input, output };
}

/** Decodes every pixel of an image (fails on a truncated file), returning its size. */
export async function decodeFully(file: string): Promise<{ width: number; height: number }> {
  const { info } = await sharp(file, { failOn: 'truncated' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height };
}

/** A fake output for processors that do not write images. */
export function fakeOutput(taskOutput: string): OutputInfo {
  return { path: taskOutput, format: 'png', width: 1, height: 1, bytes: 1 };
}

/** Resolves after `ms` (a processor's simulated work, not a test's wait). */
export function work(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A processor that takes `ms` per task and records how many tasks run at once: `max` is the
 * highest concurrency seen, `order` the task inputs in the order they started.
 */
export function instrumentedProcessor(ms: number): {
  processor: TaskProcessor;
  readonly current: number;
  readonly max: number;
  order: string[];
} {
  const state = { current: 0, max: 0, order: [] as string[] };
  const processor: TaskProcessor = async (task) => {
    state.current++;
    state.max = Math.max(state.max, state.current);
    state.order.push(task.input);
    try {
      await work(ms);
      return fakeOutput(task.output);
    } finally {
      state.current--;
    }
  };
  return {
    processor,
    get current() {
      return state.current;
    },
    get max() {
      return state.max;
    },
    order: state.order,
  };
}

/** A destination for `createLogger` that collects pino's JSON lines, parsed. */
export function logCapture(): {
  destination: { write(line: string): void };
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    },
  };
  return { destination, lines };
}
