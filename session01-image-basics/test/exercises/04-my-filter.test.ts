import {
  encode,
  Filter,
  ImageErrorCodes,
  openImage,
  type RawImage,
  toRaw,
} from '@workbook/session01';
import { fixture } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { applyVignette, vignetteFilter } from '#ex/04-my-filter/vignette.ts';

/** A 40x30 image of one colour, `channels` per pixel (alpha 77 when there is one). */
function solid(value: number, channels: RawImage['channels'] = 3): RawImage {
  const data = Buffer.alloc(40 * 30 * channels, value);
  if (channels === 4) for (let i = 3; i < data.length; i += 4) data[i] = 77;
  return { data, width: 40, height: 30, channels };
}

const valueAt = (image: RawImage, x: number, y: number, c = 0) =>
  image.data[(y * image.width + x) * image.channels + c]!;

/** What a function throws (a marker error when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  return new Error('🚨 expected an error, but nothing was thrown');
}

/** Mean of the first channel over a rectangle. */
function mean(image: RawImage, left: number, top: number, width: number, height: number): number {
  let sum = 0;
  for (let y = top; y < top + height; y++)
    for (let x = left; x < left + width; x++) sum += valueAt(image, x, y);
  return sum / (width * height);
}

describe('01.4 my filter: vignette', () => {
  it('is a Filter made with defineFilter, with a validated `strength`', () => {
    const filter = vignetteFilter();
    expect(filter, '🚨 build it with defineFilter').toBeInstanceOf(Filter);
    expect(filter.name).toBe('vignette');
    expect(filter.params, '🚨 the default strength is 0.6').toEqual({ strength: 0.6 });
    expect(filter.ops, '🚨 it computes on raw pixels: which op says so?').toEqual(['custom']);
    const error = thrown(() => vignetteFilter({ strength: 1.5 }));
    expect(error.code, '🚨 an out-of-range strength is an InvalidOptionError').toBe(
      ImageErrorCodes.INVALID_OPTION,
    );
    expect(error.message, '🚨 the message names the parameter, value and range').toMatch(
      /`strength`.*from 0 to 1.*`1.5`/,
    );
  });

  it('applyVignette validates too', () => {
    const error = thrown(() => applyVignette(solid(100), -0.1));
    expect(error.code).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(error.message, '🚨 name the parameter and the value').toMatch(/`strength`.*-0\.1/);
  });

  it('keeps the centre and darkens the corners to about (1 − strength)', () => {
    const out = applyVignette(solid(200), 0.5);
    expect([out.width, out.height, out.channels], '🚨 same size and channels').toEqual([40, 30, 3]);
    expect(valueAt(out, 20, 15), '🚨 the centre stays (almost) as it was').toBeGreaterThanOrEqual(
      198,
    );
    for (const [x, y] of [
      [0, 0],
      [39, 0],
      [0, 29],
      [39, 29],
    ] as const) {
      expect(
        valueAt(out, x, y),
        `🚨 corner (${x}, ${y}) ≈ 200 × (1 − 0.5) = 100`,
      ).toBeGreaterThanOrEqual(95);
      expect(
        valueAt(out, x, y),
        `🚨 corner (${x}, ${y}) ≈ 200 × (1 − 0.5) = 100`,
      ).toBeLessThanOrEqual(112);
    }
  });

  it('gets darker step by step from the centre to a corner, on every colour channel', () => {
    const out = applyVignette(solid(240), 0.8);
    let previous = Number.POSITIVE_INFINITY;
    for (let step = 0; step <= 10; step++) {
      const x = Math.round(20 + step * 1.9);
      const y = Math.round(15 + step * 1.4);
      const value = valueAt(out, x, y);
      expect(
        value,
        `🚨 (${x}, ${y}) must not be brighter than the point before`,
      ).toBeLessThanOrEqual(previous);
      previous = value;
      expect(valueAt(out, x, y, 2), '🚨 blue changes like red').toBe(value);
    }
    expect(previous, '🚨 the far corner is much darker').toBeLessThan(80);
  });

  it('strength 0 changes nothing; alpha is never touched', () => {
    const input = solid(123, 4);
    expect([...applyVignette(input, 0).data], '🚨 strength 0 is the identity').toEqual([
      ...input.data,
    ]);
    const out = applyVignette(input, 1);
    expect(valueAt(out, 0, 0, 3), '🚨 alpha stays 77').toBe(77);
    expect(valueAt(out, 0, 0, 0), '🚨 strength 1: the corner is nearly black').toBeLessThan(15);
    expect(valueAt(input, 0, 0, 0), '🚨 return a new image, leave the input alone').toBe(123);
  });

  it('frames a real photo: corners darker, centre the same', async () => {
    const photo = fixture('photos/coffee.png'); // 600x400
    const out = await toRaw(await vignetteFilter({ strength: 0.7 }).apply(await openImage(photo)));
    const original = await toRaw(sharp(photo));
    expect([out.width, out.height]).toEqual([600, 400]);
    const centreRatio = mean(out, 280, 180, 40, 40) / mean(original, 280, 180, 40, 40);
    const cornerRatio = mean(out, 0, 0, 30, 30) / mean(original, 0, 0, 30, 30);
    expect(centreRatio, '🚨 the centre keeps its brightness').toBeGreaterThan(0.97);
    expect(cornerRatio, '🚨 the corner gets ≈ 1 − 0.7 of its brightness').toBeLessThan(0.45);
    const png = await encode(await vignetteFilter().apply(await openImage(photo)), {
      format: 'png',
    });
    expect((await sharp(png).metadata()).width, '🚨 the result must encode').toBe(600);
  });
});
