import type { FilterSpec } from '@workbook/session01';
import { compareImages, makeImage, pixels } from '@workbook/tools/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { FilterFactory } from '../src/filter-factory.ts';
import { NaivePipeline } from '../src/naive-pipeline.ts';

/**
 * The planner's promise: fusing filters into few passes never changes the picture. For random
 * pipelines (seeded, so a failure is reproducible from its case number), the fused result must
 * equal the naive one (one decode → filter → lossless PNG per step) up to rounding.
 */

/** mulberry32: a tiny seeded PRNG, so every run tests the same 48 pipelines. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = ReturnType<typeof prng>;
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;
const between = (random: Random, min: number, max: number) =>
  Math.round((min + random() * (max - min)) * 10) / 10;

/** The pool: one generator per filter, with random but valid parameters. */
const POOL: Array<(random: Random) => FilterSpec> = [
  (r) => ({
    name: 'resize',
    params: {
      width: pick(r, [24, 40, 50]),
      height: pick(r, [0, 30]),
      fit: pick(r, ['cover', 'inside', 'fill']),
    },
  }),
  (r) => ({ name: 'blur', params: { sigma: between(r, 0.5, 3) } }),
  (r) => ({ name: 'sharpen', params: { sigma: between(r, 0.5, 3) } }),
  (r) => ({ name: 'edge-laplacian', params: { diagonals: r() < 0.5 } }),
  () => ({ name: 'emboss' }),
  () => ({ name: 'edge-sobel' }),
  () => ({ name: 'grayscale' }),
  (r) => ({ name: 'rotate', params: { angle: pick(r, [90, 180, 270, 30]) } }),
  () => ({ name: 'flip' }),
  () => ({ name: 'flop' }),
  (r) => ({ name: 'brightness', params: { factor: between(r, 0.6, 1.6) } }),
  (r) => ({ name: 'contrast', params: { factor: between(r, 0.5, 2) } }),
  () => ({ name: 'invert' }),
  (r) => ({ name: 'threshold', params: { value: pick(r, [64, 128, 190]) } }),
  (r) => ({ name: 'sepia', params: { intensity: between(r, 0.3, 1) } }),
  (r) => ({ name: 'saturate', params: { factor: between(r, 0, 2) } }),
  () => ({ name: 'median', params: { size: 3 } }),
  (r) => ({
    name: 'crop',
    params: { left: pick(r, [0, 3]), top: pick(r, [0, 2]), width: pick(r, [12, 16]), height: 10 },
  }),
  (r) => ({ name: 'pixelate', params: { size: pick(r, [2, 4]) } }),
];

const CASES = Number(process.env.PROPERTY_CASES ?? 48);
const factory = new FilterFactory();
let input: Buffer;

beforeAll(async () => {
  // Gradient plus noise: geometry, colour and sharpness changes all show.
  const gradient = await makeImage({ width: 72, height: 56, format: 'raw' });
  const noise = await makeImage({ width: 72, height: 56, fill: 'noise', seed: 3, format: 'raw' });
  const mixed = gradient.map((g, i) => Math.round(g * 0.75 + noise[i]! * 0.25));
  const sharp = (await import('sharp')).default;
  input = await sharp(Buffer.from(mixed), { raw: { width: 72, height: 56, channels: 3 } })
    .png()
    .toBuffer();
});

describe('property: fused pipeline == naive step-by-step pipeline', () => {
  const random = prng(Number(process.env.PROPERTY_SEED ?? 20_240_601));
  const cases = Array.from({ length: CASES }, (_, index) => {
    const length = 1 + Math.floor(random() * 5);
    const steps: FilterSpec[] = [];
    while (steps.length < length) {
      const step = pick(random, POOL)(random);
      // Two crops could ask for more than the first one left; one per pipeline keeps cases valid.
      if (step.name === 'crop' && steps.some((s) => s.name === 'crop')) continue;
      steps.push(step);
    }
    return { index, steps };
  });

  it.each(cases)('case $index', async ({ steps }) => {
    const pipeline = factory.createPipeline({ steps, output: { format: 'png' } });
    const fused = await pipeline.run(input);
    const naive = await new NaivePipeline(pipeline.filters).run(input, { format: 'png' });
    const plan = pipeline
      .passes()
      .map((pass) => pass.map((f) => f.name).join('+'))
      .join(' | ');
    const [a, b] = [await pixels(fused.data), await pixels(naive.data)];
    expect(
      `${a.width}x${a.height}x${a.channels}`,
      `🚨 fused and naive results differ in shape for plan ${plan}`,
    ).toBe(`${b.width}x${b.height}x${b.channels}`);
    const diff = await compareImages(a, b);
    expect(diff.maxDiff, `🚨 fused result differs from naive for plan ${plan}`).toBeLessThanOrEqual(
      3,
    );
    expect(diff.meanAbsDiff, `🚨 fused result differs from naive for plan ${plan}`).toBeLessThan(
      0.5,
    );
  });

  it('covers every filter of the pool and fuses in many cases (the test is not vacuous)', () => {
    const names = new Set(cases.flatMap((c) => c.steps.map((s) => s.name)));
    expect(names.size, '🚨 the random cases must use every filter of the pool').toBe(POOL.length);
    const fusedCases = cases.filter((c) => {
      const pipeline = factory.createPipeline({ steps: c.steps });
      return pipeline.passes().length < c.steps.length;
    });
    expect(
      fusedCases.length,
      '🚨 most cases should put several filters into one pass',
    ).toBeGreaterThan(CASES / 3);
  });
});
