import { builtinFilters, defineFilter } from '@workbook/session01';
import { NaivePipeline } from '@workbook/session02';
import { compareImages, makeImage } from '@workbook/tools/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderedPipeline } from '#ex/01-pipeline/ordered-pipeline.ts';

const { blur, resize, sharpen, grayscale, invert } = builtinFilters;
let input: Buffer;
beforeAll(async () => {
  input = await makeImage({ width: 96, height: 64, fill: 'noise', seed: 9 });
});

const plan = (pipeline: OrderedPipeline) =>
  pipeline.passes().map((pass) => pass.map((f) => f.name));

describe('02.1 an ordered pipeline', () => {
  it('add() returns the pipeline so calls chain', () => {
    const pipeline = new OrderedPipeline();
    expect(pipeline.add(blur()), '🚨 add() must return `this`').toBe(pipeline);
  });

  it('puts filters that sharp applies in this order into one pass', () => {
    const pipeline = new OrderedPipeline()
      .add(grayscale())
      .add(resize({ width: 40 }))
      .add(sharpen())
      .add(invert());
    expect(plan(pipeline), '🚨 these four can share one sharp pipeline').toEqual([
      ['grayscale', 'resize', 'sharpen', 'invert'],
    ]);
  });

  it('starts a new pass when sharp would run the next filter too early', () => {
    const pipeline = new OrderedPipeline().add(blur()).add(resize({ width: 40 }));
    expect(
      plan(pipeline),
      '🚨 sharp resizes before it blurs: blur → resize needs two passes',
    ).toEqual([['blur'], ['resize']]);
  });

  it('needs a new pass for a repeated filter (a second call replaces the first)', () => {
    const pipeline = new OrderedPipeline()
      .add(resize({ width: 40 }))
      .add(blur({ sigma: 1 }))
      .add(blur({ sigma: 2 }));
    expect(plan(pipeline)).toEqual([['resize', 'blur'], ['blur']]);
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
      '🚨 the order of the filters must change the picture',
    ).toBeGreaterThan(2);
    const naive = await new NaivePipeline([blur({ sigma: 3 }), resize({ width: 24 })]).run(input, {
      format: 'png',
    });
    const diff = await compareImages(blurFirst, naive.data);
    expect(
      diff.maxDiff,
      '🚨 blur → resize must blur first, like the step-by-step pipeline',
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
    expect(seen, '🚨 hand raw pixels between passes (sharp(data, { raw }))').toEqual([
      'jpeg',
      'raw',
    ]);
    expect(
      out.subarray(8, 12).toString(),
      '🚨 the result must be encoded in the requested format',
    ).toBe('WEBP');
  });
});
