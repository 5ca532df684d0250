import { encode, ImageErrorCodes, openImage, type RawImage, toRaw } from '@workbook/session01';
import { compareImages, fixture } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { adjustBrightness, brightnessOffsetFilter } from '#ex/02-brightness/brightness.ts';
import { outcomeOf } from '../check-helpers.ts';

/** A one-row image made of the given values, `channels` per pixel. */
function raw(values: number[], channels: RawImage['channels']): RawImage {
  return { data: Buffer.from(values), width: values.length / channels, height: 1, channels };
}

/** The values of an image as a plain array (for readable diffs). */
const values = (image: RawImage) => [...image.data];

describe('01.2 brightness', () => {
  it('adds the amount to every colour value (grey, RGB over several pixels)', () => {
    const out = adjustBrightness(raw([10, 100, 200], 3), 30);
    expect(values(out), '🚨 10, 100, 200 plus 30 must be 40, 130, 230').toEqual([40, 130, 230]);
    expect(
      [out.width, out.height, out.channels],
      '🚨 keep the width, height and channels of the input',
    ).toEqual([1, 1, 3]);
    const rgb = adjustBrightness(raw([1, 2, 3, 4, 5, 6, 7, 8, 9], 3), 10);
    expect(
      values(rgb),
      `🚨 an RGB image (3 channels) has no alpha: all 9 values of 3 pixels must change by 10, got ${values(rgb).join(', ')}`,
    ).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const grey = adjustBrightness(raw([0, 50, 100, 150, 200], 1), 5);
    expect(
      values(grey),
      `🚨 a grey image (1 channel) has no alpha: every value must change, got ${values(grey).join(', ')}`,
    ).toEqual([5, 55, 105, 155, 205]);
  });

  it('rounds to the nearest whole value', () => {
    const up = adjustBrightness(raw([10, 20, 30], 3), 2.5);
    expect(
      values(up),
      `🚨 10 + 2.5 = 12.5 must be rounded to 13 (a Buffer cuts 12.5 down to 12), got ${values(up).join(', ')}`,
    ).toEqual([13, 23, 33]);
    const down = adjustBrightness(raw([10, 20, 30], 3), -2.5);
    expect(
      values(down),
      `🚨 10 − 2.5 = 7.5 must be rounded to 8 (Math.round), got ${values(down).join(', ')}`,
    ).toEqual([8, 18, 28]);
  });

  it('clamps at 255 and 0 instead of wrapping around', () => {
    const brighter = adjustBrightness(raw([250, 240, 5], 3), 20);
    expect(
      values(brighter),
      `🚨 250 + 20 must stay white (255), not wrap around to 14: clamp to 0..255, got ${values(brighter).join(', ')}`,
    ).toEqual([255, 255, 25]);
    const darker = adjustBrightness(raw([10, 40, 250], 3), -30);
    expect(
      values(darker),
      `🚨 10 − 30 must be black (0), not wrap around to 236: clamp to 0..255, got ${values(darker).join(', ')}`,
    ).toEqual([0, 10, 220]);
  });

  it('accepts the edges ±255: everything white or everything black', () => {
    for (const [amount, expected] of [
      [255, [255, 255, 255]],
      [-255, [0, 0, 0]],
    ] as const) {
      const outcome = outcomeOf(() => adjustBrightness(raw([0, 128, 255], 3), amount));
      expect(
        outcome.said === 'returned without an error',
        `🚨 amount ${amount} is allowed: the range -255 to 255 includes both ends; your code ${outcome.said}`,
      ).toBe(true);
      const out = values(adjustBrightness(raw([0, 128, 255], 3), amount));
      expect(
        out,
        `🚨 amount ${amount} turns 0, 128, 255 into ${expected.join(', ')}, got ${out.join(', ')}`,
      ).toEqual(expected);
    }
  });

  it('leaves the alpha channel alone (RGBA and grey+alpha)', () => {
    const rgba = adjustBrightness(raw([100, 100, 100, 128, 0, 0, 0, 255], 4), 50);
    expect(
      values(rgba),
      `🚨 RGBA (4 channels): alpha, every 4th value, must not change, got ${values(rgba).join(', ')}`,
    ).toEqual([150, 150, 150, 128, 50, 50, 50, 255]);
    const greyAlpha = adjustBrightness(raw([100, 7, 60, 200], 2), -50);
    expect(
      values(greyAlpha),
      `🚨 grey+alpha (2 channels): the 2nd value of each pixel is alpha and must not change, got ${values(greyAlpha).join(', ')}`,
    ).toEqual([50, 7, 10, 200]);
  });

  it('returns a new image and leaves the input unchanged', () => {
    const input = raw([1, 2, 3], 3);
    const out = adjustBrightness(input, 10);
    expect(
      values(input),
      '🚨 the input image must not change: write the results into a new Buffer',
    ).toEqual([1, 2, 3]);
    expect(out.data === input.data, '🚨 return a new Buffer, not the input one').toBe(false);
  });

  it('rejects a bad amount with ERR_INVALID_OPTION naming the parameter, the value and the range', () => {
    const error = outcomeOf(() => adjustBrightness(raw([1, 2, 3], 3), 300));
    expect(
      error.code,
      `🚨 amount 300 is outside -255 to 255: throw an InvalidOptionError (ERR_INVALID_OPTION); your code ${error.said}`,
    ).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(error.message, `🚨 the message must name \`amount\`: "${error.message}"`).toContain(
      '`amount`',
    );
    expect(error.message, `🚨 the message must show the value 300: "${error.message}"`).toContain(
      '300',
    );
    expect(error.message, `🚨 the message must say "-255 to 255": "${error.message}"`).toMatch(
      /-255 to 255/,
    );
    for (const bad of [
      Number.NaN,
      -256,
      256,
      Number.POSITIVE_INFINITY,
      '10' as unknown as number,
    ]) {
      const outcome = outcomeOf(() => adjustBrightness(raw([1, 2, 3], 3), bad));
      expect(
        outcome.code,
        `🚨 amount ${typeof bad === 'string' ? `'${bad}' (a string)` : String(bad)} is not a number from -255 to 255: expected ERR_INVALID_OPTION; your code ${outcome.said}`,
      ).toBe(ImageErrorCodes.INVALID_OPTION);
    }
  });

  it('the filter validates `amount` when it is built', () => {
    const error = outcomeOf(() => brightnessOffsetFilter({ amount: -300 }));
    expect(
      error.code,
      `🚨 brightnessOffsetFilter({ amount: -300 }) must throw ERR_INVALID_OPTION: declare \`amount\` in params so defineFilter validates it; your code ${error.said}`,
    ).toBe(ImageErrorCodes.INVALID_OPTION);
    expect(error.message, `🚨 the declared range is -255 to 255: "${error.message}"`).toContain(
      'a number from -255 to 255',
    );
    const filter = brightnessOffsetFilter();
    expect(filter.params, '🚨 the default amount is 40').toEqual({ amount: 40 });
    expect(
      filter.toJSON(),
      `🚨 pipeline specs name this filter \`brightness-offset\`: its spec must be { name: 'brightness-offset', params: { amount: 40 } }, got ${JSON.stringify(filter.toJSON())}`,
    ).toEqual({ name: 'brightness-offset', params: { amount: 40 } });
    expect(filter.ops, "🚨 the filter computes on raw pixels itself: ops ['custom']").toEqual([
      'custom',
    ]);
  });

  it('the filter brightens a photo like the reference (pixels, not bytes)', async () => {
    const photo = fixture('photos/coffee.png');
    const filtered = await brightnessOffsetFilter({ amount: 60 }).apply(await openImage(photo));
    const out = await toRaw(filtered);
    // sharp's linear(1, 60) adds 60 to every value and saturates at 255: the reference.
    const reference = await toRaw(sharp(photo).linear(1, 60));
    const difference = await compareImages(out, reference);
    expect(
      difference.maxDiff,
      '🚨 every value of the photo should be the original + 60, clamped (largest difference from the reference)',
    ).toBeLessThanOrEqual(1);
    const png = await encode(
      await brightnessOffsetFilter({ amount: -40 }).apply(await openImage(photo)),
      { format: 'png' },
    );
    expect(
      (await sharp(png).metadata()).width,
      '🚨 the result must encode to a 600 px wide PNG',
    ).toBe(600);
  });
});
