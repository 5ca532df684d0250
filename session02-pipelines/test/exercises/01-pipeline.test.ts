import { builtinFilters, defineFilter } from '@workbook/session01';
import { NaivePipeline } from '@workbook/session02';
import { compareImages, fixture, makeImage } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderedPipeline } from '#ex/01-pipeline/ordered-pipeline.ts';

const { blur, resize, sharpen, grayscale, invert, sepia } = builtinFilters;
let input: Buffer;
beforeAll(async () => {
  input = await makeImage({ width: 96, height: 64, fill: 'noise', seed: 9 });
});

const plan = (pipeline: OrderedPipeline) =>
  pipeline.passes().map((pass) => pass.map((f) => f.name));

/** A plan in words: `[grayscale, blur] | [sepia]`. */
const shown = (passes: string[][]) =>
  passes.map((pass) => `[${pass.join(', ')}]`).join(' | ') || 'no passes at all';

describe('02.1 an ordered pipeline', () => {
  it('add() returns the pipeline so calls chain', () => {
    const pipeline = new OrderedPipeline();
    const returned = pipeline.add(blur());
    expect(returned === pipeline, '🚨 add() must return `this`, so p.add(a).add(b) works').toBe(
      true,
    );
  });

  it('puts every filter in exactly one pass, in the order added', () => {
    const names = ['blur', 'resize', 'sharpen', 'blur', 'invert'];
    const passes = plan(
      new OrderedPipeline()
        .add(blur())
        .add(resize({ width: 40 }))
        .add(sharpen())
        .add(blur())
        .add(invert()),
    );
    const flat = passes.flat();
    const prefix = flat.length < names.length && flat.every((name, i) => name === names[i]);
    expect(
      flat,
      `🚨 passes() must hold every added filter once, in order (${names.join(', ')}); yours holds ${flat.join(', ') || 'nothing'}${prefix ? ': the filters of the last pass are missing — close the last pass after the loop too' : ''}`,
    ).toEqual(names);
  });

  it('has no passes without filters (no empty pass at the end)', () => {
    const passes = plan(new OrderedPipeline());
    expect(
      passes,
      `🚨 a pipeline with no filters has no passes: passes() must return [], got ${passes.length} pass(es), ${shown(passes)}; after the loop, push the last pass only when it holds a filter`,
    ).toEqual([]);
  });

  it('puts filters that sharp applies in this order into one pass', () => {
    const pipeline = new OrderedPipeline()
      .add(grayscale())
      .add(resize({ width: 40 }))
      .add(sharpen())
      .add(invert());
    const passes = plan(pipeline);
    expect(
      passes,
      `🚨 grayscale → resize → sharpen → invert is already sharp's order: one pass (call canJoinPass(opsSoFar, filter.ops)), got ${shown(passes)}`,
    ).toEqual([['grayscale', 'resize', 'sharpen', 'invert']]);
  });

  it('starts a new pass when sharp would run the next filter too early', () => {
    const passes = plan(new OrderedPipeline().add(blur()).add(resize({ width: 40 })));
    expect(
      passes,
      `🚨 sharp resizes before it blurs: blur → resize needs two passes, [blur] | [resize], got ${shown(passes)}`,
    ).toEqual([['blur'], ['resize']]);
  });

  it('plans a longer chain: [blur] | [resize, sharpen] | [blur, invert]', () => {
    const long = plan(
      new OrderedPipeline()
        .add(blur())
        .add(resize({ width: 40 }))
        .add(sharpen())
        .add(blur())
        .add(invert()),
    );
    expect(
      long,
      `🚨 blur → resize → sharpen → blur → invert is [blur] | [resize, sharpen] | [blur, invert], got ${shown(long)}`,
    ).toEqual([['blur'], ['resize', 'sharpen'], ['blur', 'invert']]);
  });

  it('needs a new pass for a repeated filter (a second call replaces the first)', () => {
    const passes = plan(
      new OrderedPipeline()
        .add(resize({ width: 40 }))
        .add(blur({ sigma: 1 }))
        .add(blur({ sigma: 2 })),
    );
    expect(
      passes,
      `🚨 resize → blur → blur: the second blur would replace the first in one sharp pipeline, so [resize, blur] | [blur], got ${shown(passes)}`,
    ).toEqual([['resize', 'blur'], ['blur']]);
  });

  it('checks the next filter against EVERY op of the pass, not only the last filter', () => {
    const passes = plan(new OrderedPipeline().add(grayscale()).add(blur()).add(sepia()));
    expect(
      passes,
      `🚨 grayscale → blur → sepia: blur → sepia alone is fine, but sepia cannot share a pass with the earlier grayscale (one grey band, no colour mix), so [grayscale, blur] | [sepia]; pass canJoinPass all ops of the pass so far, got ${shown(passes)}`,
    ).toEqual([['grayscale', 'blur'], ['sepia']]);
  });

  it('blur → resize is not resize → blur, and matches the step-by-step result', async () => {
    const blurFirst = await new OrderedPipeline()
      .add(blur({ sigma: 3 }))
      .add(resize({ width: 24 }))
      .run(input, 'png');
    const resizeFirst = await new OrderedPipeline()
      .add(resize({ width: 24 }))
      .add(blur({ sigma: 3 }))
      .run(input, 'png');
    const differ = await compareImages(blurFirst, resizeFirst);
    expect(
      differ.meanAbsDiff,
      '🚨 run() must keep the order: blur → resize and resize → blur give different pictures (mean difference per value)',
    ).toBeGreaterThan(2);
    const naive = await new NaivePipeline([blur({ sigma: 3 }), resize({ width: 24 })]).run(input, {
      format: 'png',
    });
    const diff = await compareImages(blurFirst, naive.data);
    expect(
      diff.maxDiff,
      '🚨 blur → resize must blur first, like the step-by-step pipeline (largest difference per value)',
    ).toBeLessThanOrEqual(1);
  });

  it('decodes once: later passes start from raw pixels, not from an encoded image', async () => {
    const seen: string[] = [];
    const spy = defineFilter({
      name: 'spy',
      description: 'records the input format of its pass',
      params: {},
      ops: ['custom'],
      apply: async (image) => {
        seen.push((await image.metadata()).format);
        return image;
      },
    });
    const jpeg = await makeImage({ format: 'jpeg' });
    const out = await new OrderedPipeline().add(spy()).add(blur()).add(spy()).run(jpeg, 'webp');
    expect(
      seen,
      `🚨 the first pass starts from the decoded JPEG, the next ones from raw pixels (sharp(data, { raw })), not an encoded image: the passes saw ${seen.join(', ')}`,
    ).toEqual(['jpeg', 'raw']);
    const { format } = await sharp(out).metadata();
    expect(
      format,
      `🚨 run() must encode once, at the end, in the requested webp; got ${format}`,
    ).toBe('webp');
  });

  it('opens the input with openImage: an EXIF-rotated photo stays upright', async () => {
    const out = await new OrderedPipeline()
      .add(grayscale())
      .run(fixture('exif-orientation/Portrait_6.jpg'), 'png');
    const { width, height } = await sharp(out).metadata();
    expect(
      (height ?? 0) > (width ?? 0),
      `🚨 Portrait_6 is stored sideways with an EXIF orientation: decode it with openImage (session 01) so it comes out a portrait; got ${width}x${height}`,
    ).toBe(true);
  });
});
