import { compareImages, fixture } from '@workbook/tools/testkit';
import { describe, expect, it } from 'vitest';
import { openImage, type RawImage, readImageInfo, toRaw } from '../src/index.ts';

/**
 * tools/fixtures/exif-orientation holds one picture stored with every EXIF orientation. After
 * auto-orientation each one must look like the upright `_1` reference. The photos are 1800x1200,
 * so they are compared at a tenth of the size (JPEG shrink-on-load keeps that cheap).
 */
const SHAPES = [
  { kind: 'Landscape', width: 180, height: 120 },
  { kind: 'Portrait', width: 120, height: 180 },
] as const;

async function upright(file: string, autoOrient: boolean, width: number): Promise<RawImage> {
  const image = await openImage(fixture(`exif-orientation/${file}`), { autoOrient });
  return toRaw(image.resize({ width }));
}

describe.each(SHAPES)('$kind photos', ({ kind, width, height }) => {
  let reference: RawImage;

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8])(`${kind}_%i comes out upright`, async (n) => {
    reference ??= await upright(`${kind}_1.jpg`, true, width);
    const image = await upright(`${kind}_${n}.jpg`, true, width);
    expect([image.width, image.height], 'displayed size').toEqual([width, height]);
    const difference = await compareImages(reference, image);
    expect(difference.meanAbsDiff, 'mean difference to the upright reference').toBeLessThan(3);
    expect(difference.changedRatio, 'share of visibly changed values').toBeLessThan(0.05);
  });

  it.each([2, 3, 4, 5, 6, 7, 8])(
    `${kind}_%i differs from upright without autoOrient`,
    async (n) => {
      // The control: proves the comparison above would notice a wrongly oriented picture.
      reference ??= await upright(`${kind}_1.jpg`, true, width);
      const info = await readImageInfo(fixture(`exif-orientation/${kind}_${n}.jpg`));
      expect(info.orientation).toBe(n);
      const stored = await upright(`${kind}_${n}.jpg`, false, width);
      if (n >= 5) {
        // Orientations 5-8 include a quarter turn: stored sideways, so even the shape is wrong.
        expect(stored.height / stored.width).toBeCloseTo(width / height, 2);
      } else {
        expect((await compareImages(reference, stored)).meanAbsDiff).toBeGreaterThan(10);
      }
    },
  );
});
