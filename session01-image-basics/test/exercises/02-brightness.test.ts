import { encode, ImageErrorCodes, openImage, type RawImage, toRaw } from '@workbook/session01';
import { compareImages, fixture } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { adjustBrightness, brightnessOffsetFilter } from '#ex/02-brightness/brightness.ts';

/** A 1x1... image made of the given values, `channels` per pixel. */
function raw(values: number[], channels: RawImage['channels']): RawImage {
  return { data: Buffer.from(values), width: values.length / channels, height: 1, channels };
}

/** What a function throws (a marker error when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  return new Error('🚨 expected an error, but nothing was thrown');
}

describe('01.2 brightness', () => {
  it('adds the amount to every colour value', () => {
    const out = adjustBrightness(raw([10, 100, 200], 3), 30);
    expect([...out.data], '🚨 10, 100, 200 plus 30').toEqual([40, 130, 230]);
    expect([out.width, out.height, out.channels], '🚨 keep the size and channels').toEqual([
      1, 1, 3,
    ]);
  });

  it('clamps at 255 and 0 instead of wrapping around', () => {
    const brighter = adjustBrightness(raw([250, 240, 5], 3), 20);
    expect([...brighter.data], '🚨 250 + 20 must stay white (255), not wrap to 14').toEqual([
      255, 255, 25,
    ]);
    const darker = adjustBrightness(raw([10, 40, 250], 3), -30);
    expect([...darker.data], '🚨 10 − 30 must be black (0), not wrap to 236').toEqual([0, 10, 220]);
  });

  it('leaves the alpha channel alone (RGBA and grey+alpha)', () => {
    const rgba = adjustBrightness(raw([100, 100, 100, 128, 0, 0, 0, 255], 4), 50);
    expect([...rgba.data], '🚨 alpha (every 4th value) must not change').toEqual([
      150, 150, 150, 128, 50, 50, 50, 255,
    ]);
    const greyAlpha = adjustBrightness(raw([100, 7], 2), -50);
    expect([...greyAlpha.data], '🚨 grey+alpha: the 2nd value is alpha').toEqual([50, 7]);
  });

  it('returns a new image and leaves the input unchanged', () => {
    const input = raw([1, 2, 3], 3);
    const out = adjustBrightness(input, 10);
    expect([...input.data], '🚨 do not modify the input buffer').toEqual([1, 2, 3]);
    expect(out.data).not.toBe(input.data);
  });

  it('rejects a bad amount with ERR_INVALID_OPTION naming the parameter, the value and the range', () => {
    const error = thrown(() => adjustBrightness(raw([1, 2, 3], 3), 300));
    expect(error.code, '🚨 throw an InvalidOptionError').toBe(ImageErrorCodes.INVALID_OPTION);
    expect(error.message, '🚨 name the parameter').toContain('`amount`');
    expect(error.message, '🚨 show the value received').toContain('300');
    expect(error.message, '🚨 say what is allowed').toMatch(/-255 to 255/);
    for (const bad of [Number.NaN, -256, Number.POSITIVE_INFINITY, '10' as unknown as number]) {
      expect(
        thrown(() => adjustBrightness(raw([1, 2, 3], 3), bad)).code,
        `🚨 ${String(bad)} is not allowed`,
      ).toBe(ImageErrorCodes.INVALID_OPTION);
    }
  });

  it('the filter validates `amount` when it is built', () => {
    const error = thrown(() => brightnessOffsetFilter({ amount: -300 }));
    expect(error.code, '🚨 declare `amount` in params so defineFilter validates it').toBe(
      ImageErrorCodes.INVALID_OPTION,
    );
    expect(error.message, '🚨 the range is -255 to 255').toContain('a number from -255 to 255');
    const filter = brightnessOffsetFilter();
    expect(filter.params, '🚨 the default amount is 40').toEqual({ amount: 40 });
    expect(filter.ops, '🚨 the filter computes on raw pixels itself').toEqual(['custom']);
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
      '🚨 every value should be the original + 60, clamped',
    ).toBeLessThanOrEqual(1);
    const png = await encode(
      await brightnessOffsetFilter({ amount: -40 }).apply(await openImage(photo)),
      {
        format: 'png',
      },
    );
    expect((await sharp(png).metadata()).width, '🚨 the result must encode').toBe(600);
  });
});
