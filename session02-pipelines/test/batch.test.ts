import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { defineFilter } from '@workbook/session01';
import { fixture, makeImage } from '@workbook/tools/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchProcessor, checkNaming } from '../src/batch-processor.ts';
import { formatBatchSummary, showBatchProgress } from '../src/batch-progress.ts';
import { FilterFactory } from '../src/filter-factory.ts';

let dir: string;
let input: string;
let output: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'session02-batch-'));
  input = path.join(dir, 'in');
  output = path.join(dir, 'out');
  mkdirSync(input);
  for (let i = 0; i < 6; i++) {
    writeFileSync(
      path.join(input, `img${i}.png`),
      await makeImage({ width: 40, height: 30, seed: i + 1, fill: 'noise' }),
    );
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const grey = { steps: [{ name: 'grayscale' }], output: { format: 'png' as const } };

/** A filter that records how many images are inside it at once (and holds each a moment). */
function inFlightProbe() {
  const state = { now: 0, max: 0 };
  const filter = defineFilter({
    name: 'in-flight-probe',
    description: 'counts concurrent images',
    params: {},
    ops: ['custom'],
    apply: async (image) => {
      state.now++;
      state.max = Math.max(state.max, state.now);
      await new Promise((resolve) => setTimeout(resolve, 15));
      state.now--;
      return image;
    },
  });
  return { state, factory: new FilterFactory().register(filter) };
}

describe('BatchProcessor', () => {
  it.each([1, 2, 4])(
    'never has more than %i images in flight, and reaches the limit',
    async (limit) => {
      const { state, factory } = inFlightProbe();
      for (let i = 6; i < 12; i++)
        copyFileSync(path.join(input, 'img0.png'), path.join(input, `img${i}.png`));
      const summary = await new BatchProcessor({
        inputDir: input,
        outputDir: output,
        pipeline: { steps: [{ name: 'in-flight-probe' }] },
        factory,
        concurrency: limit,
      }).run();
      expect(summary.succeeded).toBe(12);
      expect(state.max, `🚨 at most ${limit} images may be processed at once`).toBeLessThanOrEqual(
        limit,
      );
      expect(state.max, `🚨 with 12 images waiting, ${limit} should run at once`).toBe(limit);
      expect(summary.maxInFlight).toBe(state.max);
    },
  );

  it('isolates a corrupt file: the batch completes and the summary lists it with its code', async () => {
    copyFileSync(fixture('hostile/truncated.jpg'), path.join(input, 'broken.jpg'));
    writeFileSync(path.join(input, 'notes.png'), 'this is text, not an image');
    writeFileSync(path.join(input, 'empty.png'), '');
    const failed: string[] = [];
    const batch = new BatchProcessor({
      inputDir: input,
      outputDir: output,
      pipeline: grey,
      pipelineName: 'grey',
      concurrency: 3,
    });
    batch.on('failed', (result) => failed.push(result.input));
    const summary = await batch.run();
    expect(summary).toMatchObject({ total: 9, succeeded: 6, failed: 3, skipped: 0 });
    expect(summary.failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ input: 'broken.jpg', code: 'ERR_IMAGE_CORRUPT' }),
        expect.objectContaining({ input: 'notes.png', code: 'ERR_NOT_AN_IMAGE' }),
        expect.objectContaining({ input: 'empty.png', code: 'ERR_EMPTY_INPUT' }),
      ]),
    );
    expect(failed.sort()).toEqual(['broken.jpg', 'empty.png', 'notes.png']);
    expect(readdirSync(output).sort()).toEqual(
      ['img0', 'img1', 'img2', 'img3', 'img4', 'img5'].map((n) => `${n}-grey.png`),
    );
    expect(summary.bytesIn).toBeGreaterThan(0);
    expect(summary.bytesOut).toBe(
      readdirSync(output).reduce((sum, f) => sum + statSync(path.join(output, f)).size, 0),
    );
    expect(formatBatchSummary(summary)).toContain('ERR_IMAGE_CORRUPT');
  });

  it('skips images whose output exists when asked', async () => {
    const options = { inputDir: input, outputDir: output, pipeline: grey, skipExisting: true };
    const first = await new BatchProcessor(options).run();
    expect(first).toMatchObject({ succeeded: 6, skipped: 0 });
    rmSync(path.join(output, 'img2-out.png'));
    const second = await new BatchProcessor(options).run();
    expect(second).toMatchObject({ succeeded: 1, skipped: 5 });
    expect(second.results.find((r) => r.status === 'completed')?.input).toBe('img2.png');
    const third = await new BatchProcessor({ ...options, skipExisting: false }).run();
    expect(third).toMatchObject({ succeeded: 6, skipped: 0 });
  });

  it('walks sub-folders only when recursive, keeping the structure', async () => {
    mkdirSync(path.join(input, 'cats', 'small'), { recursive: true });
    writeFileSync(path.join(input, 'cats', 'tom.jpg'), await makeImage({ format: 'jpeg' }));
    writeFileSync(
      path.join(input, 'cats', 'small', 'kit.webp'),
      await makeImage({ format: 'webp' }),
    );
    writeFileSync(path.join(input, '.hidden.png'), await makeImage());
    const flat = await new BatchProcessor({
      inputDir: input,
      outputDir: output,
      pipeline: { steps: [] },
    }).run();
    expect(flat.total).toBe(6);
    const deep = await new BatchProcessor({
      inputDir: input,
      outputDir: output,
      pipeline: { steps: [{ name: 'grayscale' }] },
      recursive: true,
      naming: '{name}.{pipeline}.{ext}',
      pipelineName: 'g',
    }).run();
    expect(deep.total).toBe(8);
    expect(existsSync(path.join(output, 'cats', 'tom.g.jpg')), '🚨 a JPEG stays a JPEG').toBe(true);
    expect(existsSync(path.join(output, 'cats', 'small', 'kit.g.webp'))).toBe(true);
  });

  it('does not process its own output folder when it lies inside the input folder', async () => {
    const summary = await new BatchProcessor({
      inputDir: input,
      outputDir: path.join(input, 'results'),
      pipeline: grey,
      recursive: true,
    }).run();
    const again = await new BatchProcessor({
      inputDir: input,
      outputDir: path.join(input, 'results'),
      pipeline: grey,
      recursive: true,
    }).run();
    expect([summary.total, again.total]).toEqual([6, 6]);
  });

  it('reports a symlink that leads out of the input folder as a failure, not a read', async () => {
    const secret = path.join(dir, 'secret.png');
    writeFileSync(secret, await makeImage());
    const { symlinkSync } = await import('node:fs');
    symlinkSync(secret, path.join(input, 'link.png'));
    const summary = await new BatchProcessor({
      inputDir: input,
      outputDir: output,
      pipeline: grey,
    }).run();
    expect(summary.failures).toEqual([
      expect.objectContaining({ input: 'link.png', code: 'ERR_PATH_OUTSIDE_ROOT' }),
    ]);
  });

  it('stops starting images when aborted and still resolves with a summary', async () => {
    const controller = new AbortController();
    const batch = new BatchProcessor({
      inputDir: input,
      outputDir: output,
      pipeline: grey,
      concurrency: 1,
      signal: controller.signal,
    });
    batch.on('completed', () => controller.abort());
    const summary = await batch.run();
    expect(summary.succeeded).toBe(1);
    expect(summary.aborted).toBe(5);
    expect(
      summary.results
        .filter((r) => r.status === 'aborted')
        .every((r) => r.error?.code === 'ERR_ABORTED'),
    ).toBe(true);
  });

  it('calls onProgress after every image and prints plain lines when not on a TTY', async () => {
    const seen: number[] = [];
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let text = '';
    (stream as unknown as PassThrough).on('data', (chunk) => {
      text += chunk;
    });
    const batch = new BatchProcessor({
      inputDir: input,
      outputDir: output,
      pipeline: grey,
      onProgress: (p) => seen.push(p.done),
    });
    showBatchProgress(batch, { stream });
    await batch.run();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(text).toContain('processing 6 images');
    expect(text).toMatch(/\[6\/6\] completed/);
  });

  it('checks its options up front', () => {
    const base = { inputDir: input, outputDir: output, pipeline: grey };
    expect(() => new BatchProcessor({ ...base, concurrency: 0 })).toThrow(/integer >= 1/);
    expect(() => new BatchProcessor({ ...base, pipeline: { steps: [{ name: 'nope' }] } })).toThrow(
      /Unknown filter/,
    );
    expect(() => new BatchProcessor({ ...base, pipelineName: '../x' })).toThrow(/pipelineName/);
    expect(() => checkNaming('{pipeline}.{ext}')).toThrow(/\{name\}/);
    expect(() => checkNaming('../{name}.{ext}')).toThrow(/no folders/);
    expect(() => checkNaming('{name}-{size}.{ext}')).toThrow(/unknown token \{size\}/);
  });
});
