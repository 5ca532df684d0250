import { ImageErrorCodes } from '@workbook/session01';
import { compareImages, fixture, makeImage, pixels } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { grayscaleThumbnail } from '#ex/01-grayscale-thumbnail/thumbnail.ts';

const CAT = fixture('photos/chelsea.png'); // 451x300, colour

/** The error a promise rejects with, or a marker error when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => new Error('🚨 expected an error, but the call succeeded'),
    (error: Error) => error,
  );
}

/** True when every pixel has equal R, G and B (or the image has one channel). */
async function isGrey(image: Buffer): Promise<boolean> {
  const { data, channels } = await pixels(image);
  if (channels < 3) return true;
  for (let i = 0; i < data.length; i += channels) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return false;
  }
  return true;
}

describe('01.1 grayscale thumbnail', () => {
  it('fits the whole picture inside the box (fit inside is the default)', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 200, height: 200 });
    const { width, height } = await sharp(thumb).metadata();
    expect([width, height], '🚨 451x300 inside a 200x200 box must become 200x133').toEqual([
      200, 133,
    ]);
  });

  it('is grey and encoded as JPEG by default', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 120, height: 120 });
    expect((await sharp(thumb).metadata()).format, '🚨 the default format is jpeg').toBe('jpeg');
    expect(await isGrey(thumb), '🚨 every pixel must be grey (R = G = B)').toBe(true);
  });

  it('looks like the reference thumbnail (pixels, not bytes)', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 150, height: 150, format: 'png' });
    const reference = await sharp(CAT)
      .resize(150, 150, { fit: 'inside' })
      .greyscale()
      .png()
      .toBuffer();
    const [a, b] = await Promise.all([pixels(thumb), pixels(reference)]);
    const grey = (p: typeof a) => ({
      ...p,
      data: Buffer.from(p.data.filter((_, i) => i % p.channels === 0)),
      channels: 1,
    });
    const difference = await compareImages(grey(a), grey(b));
    expect(
      difference.meanAbsDiff,
      '🚨 the thumbnail should look like a resized grey copy',
    ).toBeLessThan(2);
  });

  it('fit cover fills the box exactly; contain pads to it', async () => {
    const cover = await grayscaleThumbnail(CAT, {
      width: 100,
      height: 100,
      fit: 'cover',
      format: 'png',
    });
    const contain = await grayscaleThumbnail(CAT, {
      width: 100,
      height: 100,
      fit: 'contain',
      format: 'png',
    });
    for (const [name, image] of [
      ['cover', cover],
      ['contain', contain],
    ] as const) {
      const { width, height } = await sharp(image).metadata();
      expect([width, height], `🚨 fit ${name} must give exactly 100x100`).toEqual([100, 100]);
    }
  });

  it('never enlarges a small image', async () => {
    const small = await makeImage({ width: 64, height: 48 });
    const thumb = await grayscaleThumbnail(small, { width: 300, height: 300, format: 'png' });
    const { width, height } = await sharp(thumb).metadata();
    expect([width, height], '🚨 a 64x48 image must stay 64x48 (no upscaling)').toEqual([64, 48]);
  });

  it('respects EXIF orientation: a portrait photo stays a portrait', async () => {
    const thumb = await grayscaleThumbnail(fixture('exif-orientation/Portrait_6.jpg'), {
      width: 90,
      height: 90,
    });
    const { width, height } = await sharp(thumb).metadata();
    expect([width, height], '🚨 Portrait_6 is stored sideways: open it with openImage').toEqual([
      60, 90,
    ]);
  });

  it('outputs webp when asked', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 50, height: 50, format: 'webp' });
    expect((await sharp(thumb).metadata()).format).toBe('webp');
  });

  it('rejects a bad size with ERR_INVALID_OPTION naming the option, the value and the range', async () => {
    const error = await rejection(grayscaleThumbnail(CAT, { width: 0, height: 100 }));
    expect(error.code, '🚨 throw an InvalidOptionError').toBe(ImageErrorCodes.INVALID_OPTION);
    expect(error.message, '🚨 the message names the option').toContain('`width`');
    expect(error.message, '🚨 … the value received').toContain('`0`');
    expect(error.message, '🚨 … and the allowed range').toMatch(/1 to 4096/);
    const fraction = await rejection(grayscaleThumbnail(CAT, { width: 100, height: 2.5 }));
    expect(fraction.code, '🚨 2.5 is not a whole number of pixels').toBe(
      ImageErrorCodes.INVALID_OPTION,
    );
  });

  it('refuses hostile input with the library codes', async () => {
    const truncated = await rejection(
      grayscaleThumbnail(fixture('hostile/truncated.jpg'), { width: 50, height: 50 }),
    );
    expect(truncated.code, '🚨 use openImage: it refuses corrupt files').toBe(
      ImageErrorCodes.IMAGE_CORRUPT,
    );
    const text = await rejection(
      grayscaleThumbnail(Buffer.from('hello, not an image'), { width: 50, height: 50 }),
    );
    expect(text.code).toBe(ImageErrorCodes.NOT_AN_IMAGE);
  });
});
