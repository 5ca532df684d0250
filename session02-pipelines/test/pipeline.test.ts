import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinFilters, defineFilter } from '@workbook/session01';
import { compareImages, makeImage, pixels } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilterFactory } from '../src/filter-factory.ts';
import { FilterPipeline, planPasses } from '../src/filter-pipeline.ts';
import { NaivePipeline } from '../src/naive-pipeline.ts';

const { resize, blur, sharpen, grayscale, invert, rotate, flip, sepia, threshold } = builtinFilters;
const names = (pipeline: FilterPipeline) =>
  pipeline.passes().map((pass) => pass.map((f) => f.name));

let input: Buffer;
let dir: string;
beforeAll(async () => {
  input = await makeImage({ width: 96, height: 64, fill: 'noise', seed: 5 });
  dir = mkdtempSync(path.join(tmpdir(), 'session02-pipeline-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FilterPipeline keeps the user order', () => {
  it('blur → resize differs from resize → blur, and each equals its naive version', async () => {
    const blurThenResize = new FilterPipeline().add(blur({ sigma: 3 })).add(resize({ width: 24 }));
    const resizeThenBlur = new FilterPipeline().add(resize({ width: 24 })).add(blur({ sigma: 3 }));
    const a = await blurThenResize.run(input, { format: 'png' });
    const b = await resizeThenBlur.run(input, { format: 'png' });
    const differ = await compareImages(a.data, b.data);
    expect(differ.meanAbsDiff, '🚨 the two orders must give different pictures').toBeGreaterThan(2);

    for (const [pipeline, result] of [
      [blurThenResize, a],
      [resizeThenBlur, b],
    ] as const) {
      const naive = await new NaivePipeline(pipeline.filters).run(input, { format: 'png' });
      const diff = await compareImages(result.data, naive.data);
      expect(
        diff.maxDiff,
        '🚨 fused result must equal the step-by-step result',
      ).toBeLessThanOrEqual(1);
    }
  });

  it('a plain sharp chain blur().resize() does NOT keep the order (why the planner exists)', async () => {
    const chained = await sharp(input).blur(3).resize({ width: 24 }).png().toBuffer();
    const resizeFirst = await new FilterPipeline()
      .add(resize({ width: 24 }))
      .add(blur({ sigma: 3 }))
      .run(input, { format: 'png' });
    expect((await compareImages(chained, resizeFirst.data)).maxDiff).toBeLessThanOrEqual(1);
  });
});

describe('passes(): as few passes as the order allows', () => {
  it.each([
    ['resize → blur', [resize({ width: 40 }), blur({ sigma: 2 })], [['resize', 'blur']]],
    ['blur → resize', [blur({ sigma: 2 }), resize({ width: 40 })], [['blur'], ['resize']]],
    [
      'resize → blur → blur (a repeat replaces the first call)',
      [resize({ width: 40 }), blur({ sigma: 2 }), blur({ sigma: 1 })],
      [['resize', 'blur'], ['blur']],
    ],
    [
      'grayscale → resize → sharpen → invert',
      [grayscale(), resize({ width: 40 }), sharpen(), invert()],
      [['grayscale', 'resize', 'sharpen', 'invert']],
    ],
    [
      'grayscale → edge-laplacian (greyscale twice is once)',
      [grayscale(), builtinFilters['edge-laplacian']()],
      [['grayscale', 'edge-laplacian']],
    ],
    [
      'edge-sobel is custom: a pass of its own',
      [resize({ width: 40 }), builtinFilters['edge-sobel'](), threshold()],
      [['resize'], ['edge-sobel'], ['threshold']],
    ],
    ['sepia ends its pass (unclamped values)', [sepia(), invert()], [['sepia'], ['invert']]],
    [
      'resize → rotate never share',
      [resize({ width: 40 }), rotate({ angle: 90 })],
      [['resize'], ['rotate']],
    ],
    [
      'flip → resize → rotate',
      [flip(), resize({ width: 40 }), rotate()],
      [['flip', 'resize'], ['rotate']],
    ],
  ])('%s', (_label, filters, expected) => {
    const pipeline = new FilterPipeline(filters);
    expect(names(pipeline)).toEqual(expected);
    expect(planPasses(filters).flat(), '🚨 the plan must keep every filter in order').toEqual(
      filters,
    );
  });

  it('an empty pipeline has no passes and still converts the format', async () => {
    const pipeline = new FilterPipeline();
    expect(pipeline.passes()).toEqual([]);
    const { data, info } = await pipeline.run(input, { format: 'webp' });
    expect(info.format).toBe('webp');
    expect((await sharp(data).metadata()).format).toBe('webp');
  });
});

describe('between passes the image travels as raw pixels', () => {
  it('decodes the input once: every pass after the first starts from raw pixels', async () => {
    const seen: string[] = [];
    const spy = defineFilter({
      name: 'input-spy',
      description: 'records what kind of input each pass starts from',
      params: {},
      ops: ['custom'],
      apply: async (image) => {
        seen.push((await image.metadata()).format);
        return image;
      },
    });
    const jpeg = await makeImage({ width: 64, height: 48, format: 'jpeg' });
    await new FilterPipeline([spy(), blur(), spy(), resize({ width: 20 }), spy()]).run(jpeg, {
      format: 'png',
    });
    expect(seen, '🚨 only the first pass may decode an encoded image').toEqual([
      'jpeg',
      'raw',
      'raw',
    ]);
  });
});

describe('run / runToFile / specs', () => {
  it('encodes in the spec format, else the input format', async () => {
    const factory = new FilterFactory();
    const webp = factory.createPipeline({
      steps: [{ name: 'grayscale' }],
      output: { format: 'webp', quality: 50 },
    });
    expect((await webp.run(input)).info.format).toBe('webp');
    const same = factory.createPipeline({ steps: [{ name: 'grayscale' }] });
    const jpeg = await makeImage({ format: 'jpeg' });
    const result = await same.run(jpeg);
    expect(result.info.format).toBe('jpeg');
    expect((await sharp(result.data).metadata()).format).toBe('jpeg');
  });

  it('runToFile writes the file, creates folders and reports its size', async () => {
    const out = path.join(dir, 'nested', 'deeper', 'thumb.webp');
    const pipeline = new FilterPipeline().add(resize({ width: 32 }));
    const written = await pipeline.runToFile(input, out);
    expect(written).toMatchObject({ path: out, format: 'webp', width: 32, height: 21 });
    expect(written.bytes).toBe(readFileSync(out).length);
    const decoded = await pixels(out);
    expect([decoded.width, decoded.height]).toEqual([32, 21]);
  });

  it('toSpec → fromSpec round-trips to the same plan and picture', async () => {
    const pipeline = new FilterPipeline(
      [resize({ width: 40 }), sepia({ intensity: 0.5 }), blur()],
      {
        output: { format: 'png' },
      },
    );
    const spec = JSON.parse(JSON.stringify(pipeline.toSpec()));
    const copy = FilterPipeline.fromSpec(spec);
    expect(copy.toSpec()).toEqual(pipeline.toSpec());
    expect(names(copy)).toEqual(names(pipeline));
    const diff = await compareImages(
      (await pipeline.run(input)).data,
      (await copy.run(input)).data,
    );
    expect(diff.maxDiff).toBe(0);
  });

  it('a corrupt input rejects with session 01 codes', async () => {
    const png = await makeImage({ width: 64, height: 64 });
    const truncated = png.subarray(0, png.length - 200);
    await expect(new FilterPipeline([blur()]).run(truncated)).rejects.toMatchObject({
      code: 'ERR_IMAGE_CORRUPT',
    });
    await expect(
      new FilterPipeline([blur()]).run(path.join(dir, 'missing.png')),
    ).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_FOUND',
    });
  });

  it('refuses a bad format, quality or filter before doing any work', async () => {
    const pipeline = new FilterPipeline([blur()]);
    await expect(
      pipeline.run('/nonexistent.png', { format: 'bmp' as 'png' }),
      '🚨 the format is checked before the input is even opened',
    ).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT' });
    await expect(pipeline.run(input, { format: 'png', quality: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
    });
    expect(() => new FilterPipeline([], { output: { format: 'gif' as 'png' } })).toThrow(/format/);
    expect(() => pipeline.add({} as never)).toThrow(/Expected a Filter/);
  });

  it('an aborted signal stops the run with ERR_ABORTED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      new FilterPipeline([blur(), resize({ width: 10 })]).run(input, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});
