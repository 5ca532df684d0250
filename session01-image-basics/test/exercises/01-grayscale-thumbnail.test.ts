import { ImageErrorCodes } from '@workbook/session01';
import { compareImages, fixture, makeImage, pixels } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { grayscaleThumbnail } from '#ex/01-grayscale-thumbnail/thumbnail.ts';
import { type Outcome, rejectionOf } from '../check-helpers.ts';

const CAT = fixture('photos/chelsea.png'); // 451x300, colour

/** Width and height of an encoded image. */
async function sizeOf(image: Buffer): Promise<[number | undefined, number | undefined]> {
  const { width, height } = await sharp(image).metadata();
  return [width, height];
}

/** The first pixel whose R, G and B differ, or null when the image is grey. */
async function colouredPixel(image: Buffer): Promise<string | null> {
  const { data, channels } = await pixels(image);
  if (channels < 3) return null;
  for (let i = 0; i < data.length; i += channels) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2])
      return `pixel #${i / channels} is (${data[i]}, ${data[i + 1]}, ${data[i + 2]})`;
  }
  return null;
}

/**
 * Asserts a size option was refused by the student's own check: ERR_INVALID_OPTION with the
 * range 1 to 4096 (the library's resize refuses some values too, but with its own range).
 */
function expectRefused(outcome: Outcome, what: string): void {
  expect(
    outcome.code,
    `🚨 ${what} is outside 1 to 4096: expected an InvalidOptionError (ERR_INVALID_OPTION); your code ${outcome.said}`,
  ).toBe(ImageErrorCodes.INVALID_OPTION);
  expect(
    outcome.message.includes('1 to 4096'),
    `🚨 ${what} must be refused by your own size check (its message says "1 to 4096"); your code ${outcome.said}`,
  ).toBe(true);
}

describe('01.1 grayscale thumbnail', () => {
  it('fits the whole picture inside the box (fit inside is the default)', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 200, height: 200 });
    const size = await sizeOf(thumb);
    expect(
      size,
      `🚨 without \`fit\`, the default is 'inside': 451x300 in a 200x200 box must become 200x133, got ${size.join('x')}`,
    ).toEqual([200, 133]);
  });

  it('is grey and encoded as JPEG by default', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 120, height: 120 });
    const { format } = await sharp(thumb).metadata();
    expect(format, `🚨 without \`format\`, the default is jpeg; got ${format}`).toBe('jpeg');
    const coloured = await colouredPixel(thumb);
    expect(coloured, `🚨 every pixel must be grey (R = G = B), but ${coloured}`).toBeNull();
  });

  it('looks like the reference thumbnail (pixels, not bytes)', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 150, height: 150, format: 'png' });
    const reference = await sharp(CAT)
      .resize(150, 150, { fit: 'inside' })
      .greyscale()
      .png()
      .toBuffer();
    const [a, b] = await Promise.all([pixels(thumb), pixels(reference)]);
    const size = [a.width, a.height].join('x');
    expect(size, `🚨 150x150 inside: the thumbnail must be 150x100, got ${size}`).toBe('150x100');
    const grey = (p: typeof a) => ({
      ...p,
      data: Buffer.from(p.data.filter((_, i) => i % p.channels === 0)),
      channels: 1,
    });
    const difference = await compareImages(grey(a), grey(b));
    expect(
      difference.meanAbsDiff,
      '🚨 the thumbnail should look like a resized grey copy of the photo (mean difference per value)',
    ).toBeLessThan(2);
  });

  it('fit cover fills the box exactly; contain pads to it', async () => {
    for (const fit of ['cover', 'contain'] as const) {
      const image = await grayscaleThumbnail(CAT, { width: 100, height: 100, fit, format: 'png' });
      const size = await sizeOf(image);
      expect(
        size,
        `🚨 fit '${fit}' must give exactly 100x100 (pass \`fit\` on to resizeImage), got ${size.join('x')}`,
      ).toEqual([100, 100]);
    }
  });

  it('never enlarges a small image', async () => {
    const small = await makeImage({ width: 64, height: 48 });
    const thumb = await grayscaleThumbnail(small, { width: 300, height: 300, format: 'png' });
    const size = await sizeOf(thumb);
    expect(
      size,
      `🚨 a 64x48 image in a 300x300 box must stay 64x48 (no upscaling), got ${size.join('x')}`,
    ).toEqual([64, 48]);
  });

  it('respects EXIF orientation: a portrait photo stays a portrait', async () => {
    const thumb = await grayscaleThumbnail(fixture('exif-orientation/Portrait_6.jpg'), {
      width: 90,
      height: 90,
    });
    const size = await sizeOf(thumb);
    expect(
      size,
      `🚨 Portrait_6 is stored sideways with an EXIF orientation: opened with openImage it is 60x90 (portrait), got ${size.join('x')}`,
    ).toEqual([60, 90]);
  });

  it('outputs webp when asked', async () => {
    const thumb = await grayscaleThumbnail(CAT, { width: 50, height: 50, format: 'webp' });
    const { format } = await sharp(thumb).metadata();
    expect(format, `🚨 format 'webp' must give a WebP file, got ${format}`).toBe('webp');
  });

  it('accepts the edges of the range: 1 and 4096 pixels', async () => {
    for (const box of [
      { width: 4096, height: 1 },
      { width: 1, height: 4096 },
    ]) {
      const outcome = await rejectionOf(grayscaleThumbnail(CAT, { ...box, format: 'png' }));
      expect(
        outcome.said === 'resolved without an error',
        `🚨 ${box.width}x${box.height} is allowed: the range 1 to 4096 includes both ends (< 1 or > 4096 is out); your code ${outcome.said}`,
      ).toBe(true);
    }
  });

  it('rejects a bad size with ERR_INVALID_OPTION naming the option, the value and the range', async () => {
    const error = await rejectionOf(grayscaleThumbnail(CAT, { width: 0, height: 100 }));
    expectRefused(error, 'a width of 0');
    expect(
      error.message,
      `🚨 the message must name the option \`width\`: "${error.message}"`,
    ).toContain('`width`');
    expect(
      error.message,
      `🚨 the message must show the value received (\`0\`): "${error.message}"`,
    ).toContain('`0`');
    expect(error.message, `🚨 the message must say "1 to 4096": "${error.message}"`).toMatch(
      /1 to 4096/,
    );
  });

  it('checks both sides: just past 4096, below 1, and fractions', async () => {
    for (const [box, what] of [
      [{ width: 4097, height: 100 }, 'a width of 4097'],
      [{ width: 100, height: 4097 }, 'a height of 4097'],
      [{ width: 100, height: 0 }, 'a height of 0'],
      [{ width: 100, height: 2.5 }, 'a height of 2.5 (not a whole number of pixels)'],
      [{ width: 7.5, height: 100 }, 'a width of 7.5 (not a whole number of pixels)'],
    ] as const) {
      const outcome = await rejectionOf(grayscaleThumbnail(CAT, box));
      expectRefused(outcome, what);
      const side = what.includes('height') ? '`height`' : '`width`';
      expect(
        outcome.message,
        `🚨 ${what}: the message must name ${side}: "${outcome.message}"`,
      ).toContain(side);
    }
  });

  it('refuses hostile input with the library codes', async () => {
    const truncated = await rejectionOf(
      grayscaleThumbnail(fixture('hostile/truncated.jpg'), { width: 50, height: 50 }),
    );
    expect(
      truncated.code,
      `🚨 a truncated JPEG must be refused with ERR_IMAGE_CORRUPT (open it with openImage); your code ${truncated.said}`,
    ).toBe(ImageErrorCodes.IMAGE_CORRUPT);
    const text = await rejectionOf(
      grayscaleThumbnail(Buffer.from('hello, not an image'), { width: 50, height: 50 }),
    );
    expect(
      text.code,
      `🚨 text is not an image: expected ERR_NOT_AN_IMAGE (openImage says so); your code ${text.said}`,
    ).toBe(ImageErrorCodes.NOT_AN_IMAGE);
  });
});
