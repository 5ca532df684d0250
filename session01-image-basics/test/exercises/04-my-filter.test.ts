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
import { outcomeOf } from '../check-helpers.ts';

/** A 40x30 image of one colour, `channels` per pixel (alpha 77 when there is one). */
function solid(value: number, channels: RawImage['channels'] = 3): RawImage {
  const data = Buffer.alloc(40 * 30 * channels, value);
  if (channels === 2 || channels === 4)
    for (let i = channels - 1; i < data.length; i += channels) data[i] = 77;
  return { data, width: 40, height: 30, channels };
}

const valueAt = (image: RawImage, x: number, y: number, c = 0) =>
  image.data[(y * image.width + x) * image.channels + c]!;

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
    expect(filter instanceof Filter, '🚨 build vignetteFilter with defineFilter').toBe(true);
    expect(filter.name, "🚨 the filter's name is 'vignette'").toBe('vignette');
    expect(filter.params, '🚨 the default strength is 0.6').toEqual({ strength: 0.6 });
    expect(filter.ops, "🚨 it computes on raw pixels: ops ['custom']").toEqual(['custom']);
    const error = outcomeOf(() => vignetteFilter({ strength: 1.5 }));
    expect(
      error.code,
      `🚨 vignetteFilter({ strength: 1.5 }) must throw ERR_INVALID_OPTION (declare \`strength\` with min 0 and max 1); your code ${error.said}`,
    ).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(
      error.message,
      `🚨 the message names the parameter, the range and the value: "${error.message}"`,
    ).toMatch(/`strength`.*from 0 to 1.*`1.5`/);
  });

  it('applyVignette validates too (out of range, NaN, a string)', () => {
    const error = outcomeOf(() => applyVignette(solid(100), -0.1));
    expect(
      error.code,
      `🚨 applyVignette(image, -0.1) must throw ERR_INVALID_OPTION; your code ${error.said}`,
    ).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(error.message, `🚨 name the parameter and the value: "${error.message}"`).toMatch(
      /`strength`.*-0\.1/,
    );
    for (const bad of [Number.NaN, 1.01, '0.5' as unknown as number]) {
      const outcome = outcomeOf(() => applyVignette(solid(100), bad));
      expect(
        outcome.code,
        `🚨 strength ${typeof bad === 'string' ? `'${bad}' (a string)` : String(bad)} is not a number from 0 to 1: expected ERR_INVALID_OPTION; your code ${outcome.said}`,
      ).toBe(ImageErrorCodes.INVALID_OPTION);
    }
  });

  it('keeps the centre and darkens the corners to about (1 − strength)', () => {
    const out = applyVignette(solid(200), 0.5);
    expect(
      [out.width, out.height, out.channels],
      '🚨 the result has the same size and channels as the input',
    ).toEqual([40, 30, 3]);
    const centre = valueAt(out, 20, 15);
    expect(centre, `🚨 the centre stays (almost) 200, got ${centre}`).toBeGreaterThanOrEqual(198);
    for (const [x, y] of [
      [0, 0],
      [39, 0],
      [0, 29],
      [39, 29],
    ] as const) {
      const value = valueAt(out, x, y);
      expect(
        value >= 95 && value <= 112,
        `🚨 corner (${x}, ${y}) ≈ 200 × (1 − 0.5) = 100, got ${value}`,
      ).toBe(true);
    }
  });

  it('follows 1 − strength × (d / dMax)², measured from each pixel centre', () => {
    const out = applyVignette(solid(200), 1);
    const corners = [
      valueAt(out, 0, 0),
      valueAt(out, 39, 0),
      valueAt(out, 0, 29),
      valueAt(out, 39, 29),
    ];
    expect(
      corners.every((value) => value === corners[0]),
      `🚨 opposite corners must darken alike: measure d from the pixel's centre (x + 0.5, y + 0.5) to (width/2, height/2); corners got ${corners.join(', ')}`,
    ).toBe(true);
    for (const [x, y] of [
      [0, 0],
      [10, 7],
      [30, 22],
      [5, 20],
      [20, 15],
    ] as const) {
      const dx = x + 0.5 - 20;
      const dy = y + 0.5 - 15;
      const ratio = (dx * dx + dy * dy) / (20 * 20 + 15 * 15);
      const expected = Math.round(200 * (1 - ratio));
      const value = valueAt(out, x, y);
      expect(
        Math.abs(value - expected) <= 1,
        `🚨 at (${x}, ${y}) (d / dMax)² = ${ratio.toFixed(3)}, so 200 × (1 − 1 × ${ratio.toFixed(3)}) = ${expected}: the factor is 1 − strength × (d / dMax)², squared; got ${value}`,
      ).toBe(true);
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
        `🚨 (${x}, ${y}) must not be brighter than the point before it on the way to the corner`,
      ).toBeLessThanOrEqual(previous);
      previous = value;
      const blue = valueAt(out, x, y, 2);
      expect(
        blue,
        `🚨 an RGB image has no alpha: blue must darken like red at (${x}, ${y}) (red ${value}, blue ${blue})`,
      ).toBe(value);
    }
    expect(
      previous,
      `🚨 the far corner must be much darker than 240, got ${previous}`,
    ).toBeLessThan(80);
  });

  it('darkens grey images too (one channel, no alpha)', () => {
    const out = applyVignette(solid(200, 1), 1);
    const corner = valueAt(out, 0, 0);
    expect(
      corner,
      `🚨 a grey image (1 channel): its only value is a colour, the corner must be nearly black, got ${corner}`,
    ).toBeLessThan(15);
  });

  it('strength 0 changes nothing; alpha is never touched', () => {
    const input = solid(123, 4);
    expect([...applyVignette(input, 0).data], '🚨 strength 0 is the identity').toEqual([
      ...input.data,
    ]);
    const out = applyVignette(input, 1);
    const alpha = valueAt(out, 0, 0, 3);
    expect(alpha, `🚨 RGBA: alpha (the 4th value of each pixel) must stay 77, got ${alpha}`).toBe(
      77,
    );
    const corner = valueAt(out, 0, 0, 0);
    expect(corner, `🚨 strength 1: the corner is nearly black, got ${corner}`).toBeLessThan(15);
    expect(
      valueAt(input, 0, 0, 0),
      '🚨 return a new image and leave the input alone: the input corner changed',
    ).toBe(123);
    const greyAlpha = applyVignette(solid(123, 2), 1);
    const greyAlphaAlpha = valueAt(greyAlpha, 0, 0, 1);
    expect(
      greyAlphaAlpha,
      `🚨 grey+alpha (2 channels): the 2nd value of each pixel is alpha and must stay 77, got ${greyAlphaAlpha} — alpha is the last channel when channels is 2 or 4`,
    ).toBe(77);
    const greyCorner = valueAt(greyAlpha, 0, 0, 0);
    expect(
      greyCorner,
      `🚨 grey+alpha (2 channels), strength 1: the grey value of the corner is nearly black, got ${greyCorner}`,
    ).toBeLessThan(15);
  });

  it('frames a real photo: corners darker, centre the same', async () => {
    const photo = fixture('photos/coffee.png'); // 600x400
    const out = await toRaw(await vignetteFilter({ strength: 0.7 }).apply(await openImage(photo)));
    const original = await toRaw(sharp(photo));
    expect([out.width, out.height], '🚨 the filtered photo keeps its size, 600x400').toEqual([
      600, 400,
    ]);
    const centreRatio = mean(out, 280, 180, 40, 40) / mean(original, 280, 180, 40, 40);
    const cornerRatio = mean(out, 0, 0, 30, 30) / mean(original, 0, 0, 30, 30);
    expect(centreRatio, '🚨 the centre keeps its brightness').toBeGreaterThan(0.97);
    expect(cornerRatio, '🚨 the corner gets ≈ 1 − 0.7 of its brightness').toBeLessThan(0.45);
    const png = await encode(await vignetteFilter().apply(await openImage(photo)), {
      format: 'png',
    });
    expect(
      (await sharp(png).metadata()).width,
      '🚨 the result must encode to a 600 px wide PNG',
    ).toBe(600);
  });
});
