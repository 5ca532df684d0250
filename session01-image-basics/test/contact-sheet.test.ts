import { makeImage, pixels } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { contactSheet, ImageErrorCodes } from '../src/index.ts';

describe('contactSheet', () => {
  it('lays the cells out in a grid of the requested columns, with thumbnails drawn in', async () => {
    const red = await makeImage({ width: 60, height: 40, fill: { r: 255, g: 0, b: 0 } });
    const cells = Array.from({ length: 5 }, (_, i) => ({ caption: `cell ${i}`, image: red }));
    const png = await contactSheet(cells, {
      title: 'grid',
      columns: 3,
      thumbWidth: 100,
      thumbHeight: 80,
    });
    const { width, height, format } = await sharp(png).metadata();
    expect(format).toBe('png');
    // 3 columns of (100 + 2·12) plus a 12 px margin; 2 rows of (80 + 22 + 2·12) under a 56 px title.
    expect([width, height]).toEqual([3 * 124 + 12, 56 + 2 * 126 + 12]);
    // The first thumbnail (60x40, not enlarged) is centred in its 100x80 box at (18, 62).
    const { data, channels } = await pixels(png);
    const centre = ((62 + 40) * width! + 18 + 50) * channels;
    expect([data[centre], data[centre + 1], data[centre + 2]]).toEqual([255, 0, 0]);
  });

  it('draws a placeholder cell without an image', async () => {
    const png = await contactSheet([{ caption: 'missing', placeholder: 'TODO' }], { title: 'x' });
    expect((await sharp(png).metadata()).width).toBe(224 + 24 + 12);
  });

  it('refuses an empty list and bad sizes with ERR_INVALID_OPTION', async () => {
    await expect(contactSheet([], { title: 'x' })).rejects.toMatchObject({
      code: ImageErrorCodes.INVALID_OPTION,
    });
    await expect(
      contactSheet([{ caption: 'a', placeholder: '' }], { title: 'x', columns: 0 }),
    ).rejects.toThrow('Expected `columns` to be an integer from 1 to 50, got `0` (number)');
  });

  it('reports an undecodable cell image with a code', async () => {
    await expect(
      contactSheet([{ caption: 'bad', image: Buffer.from('not an image') }], { title: 'x' }),
    ).rejects.toMatchObject({ code: ImageErrorCodes.NOT_AN_IMAGE });
  });
});
