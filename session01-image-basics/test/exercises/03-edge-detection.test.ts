import {
  builtinFilters,
  type Kernel3x3,
  openImage,
  type RawImage,
  toRaw,
} from '@workbook/session01';
import { compareImages, fixture } from '@workbook/tools/testkit';
import { describe, expect, it } from 'vitest';
import { convolve3x3, laplacianEdges, sobelEdges } from '#ex/03-edge-detection/edges.ts';

/** A one-channel image from a function of (x, y). */
function grey(width: number, height: number, value: (x: number, y: number) => number): RawImage {
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return { data, width, height, channels: 1 };
}

/** 12x8, dark (40) on the left half and light (210) on the right: one vertical edge at x = 5|6. */
const EDGE = grey(12, 8, (x) => (x < 6 ? 40 : 210));
const at = (image: RawImage | Float32Array, width: number, x: number, y: number) =>
  'data' in image ? image.data[y * width + x] : image[y * width + x];

describe('01.3 edge detection', () => {
  it('convolve3x3 lays the kernel over the neighbourhood as written', () => {
    const ramp = grey(5, 4, (x, y) => 10 * x + y); // p(x, y) = 10x + y
    const right: Kernel3x3 = [0, 0, 0, 0, 0, 1, 0, 0, 0]; // picks p(x+1, y)
    const below: Kernel3x3 = [0, 0, 0, 0, 0, 0, 0, 1, 0]; // picks p(x, y+1)
    const fromRight = convolve3x3(ramp, right);
    expect(
      fromRight instanceof Float32Array,
      '🚨 convolve3x3 must return a Float32Array (signed values, one per pixel)',
    ).toBe(true);
    expect(fromRight.length, '🚨 one value per pixel: 5 × 4 = 20').toBe(20);
    const r = at(fromRight, 5, 1, 2);
    expect(
      r,
      `🚨 kernel[5] weighs the right neighbour (laid over the image as written, not flipped): at (1, 2) it picks p(2, 2) = 22, got ${r}`,
    ).toBe(22);
    const b = at(convolve3x3(ramp, below), 5, 1, 1);
    expect(
      b,
      `🚨 kernel[7] weighs the neighbour below: at (1, 1) it picks p(1, 2) = 12, got ${b}`,
    ).toBe(12);
  });

  it('convolve3x3 keeps signs and repeats the border pixels', () => {
    const ramp = grey(5, 4, (x, y) => 10 * x + y);
    const difference: Kernel3x3 = [0, 0, 0, -1, 0, 1, 0, 0, 0]; // p(x+1) − p(x−1)
    const out = convolve3x3(ramp, difference);
    const inside = at(out, 5, 2, 1);
    expect(inside, `🚨 inside: p(3, 1) − p(1, 1) = 31 − 11 = 20, got ${inside}`).toBe(20);
    const left = at(out, 5, 0, 1);
    expect(
      left,
      `🚨 left border: the missing p(−1, 1) repeats the border pixel p(0, 1) = 1, so 11 − 1 = 10 (not 11, as if it were 0), got ${left}`,
    ).toBe(10);
    const right = at(out, 5, 4, 1);
    expect(
      right,
      `🚨 right border: the missing p(5, 1) repeats p(4, 1) = 41, so 41 − 31 = 10, got ${right}`,
    ).toBe(10);
    const negative = at(convolve3x3(ramp, [0, 0, 0, 1, 0, -1, 0, 0, 0]), 5, 2, 1);
    expect(
      negative,
      `🚨 keep negative sums: 11 − 31 = −20 (a Float32Array, not bytes), got ${negative}`,
    ).toBe(-20);
  });

  it('flat areas give 0, inside and at the border', () => {
    const flat = grey(10, 10, () => 137);
    for (const [name, out, why] of [
      ['Laplacian', laplacianEdges(flat), 'do its weights add up to 0?'],
      ['Sobel', sobelEdges(flat), 'do the weights of gx and gy each add up to 0?'],
    ] as const) {
      const inside = at(out, 10, 5, 5);
      expect(inside, `🚨 ${name} of a flat image is 0 inside: ${why} Got ${inside} at (5, 5)`).toBe(
        0,
      );
      const border = [at(out, 10, 0, 5), at(out, 10, 9, 5), at(out, 10, 5, 0), at(out, 10, 0, 0)];
      expect(
        border,
        `🚨 ${name}: a flat image must give 0 at the border too (the missing neighbours repeat the border pixel 137, they are not 0), got ${border.join(', ')} at (0, 5), (9, 5), (5, 0), (0, 0)`,
      ).toEqual([0, 0, 0, 0]);
    }
  });

  it('the Laplacian lights up both sides of an edge, nothing else', () => {
    const out = laplacianEdges(EDGE);
    expect(
      [out.width, out.height, out.channels],
      '🚨 laplacianEdges returns an image of the same size with one channel',
    ).toEqual([12, 8, 1]);
    const dark = at(out, 12, 5, 4);
    expect(
      dark,
      `🚨 dark side: 40 + 210 + 40 + 40 − 4 × 40 = 170 (the 4-neighbour kernel), got ${dark}`,
    ).toBe(170);
    const bright = at(out, 12, 6, 4);
    expect(
      bright,
      `🚨 bright side: the Laplacian is 40 − 210 = −170 there; edges are |response| = 170, got ${bright}`,
    ).toBe(170);
    const far = [at(out, 12, 2, 4), at(out, 12, 9, 4)];
    expect(far, `🚨 far from the edge the picture is flat: 0, got ${far.join(', ')}`).toEqual([
      0, 0,
    ]);
  });

  it('Sobel: strong at a vertical edge, and combines gx and gy', () => {
    const out = sobelEdges(EDGE);
    expect(
      [out.width, out.height, out.channels],
      '🚨 sobelEdges returns an image of the same size with one channel',
    ).toEqual([12, 8, 1]);
    const edge = at(out, 12, 5, 4);
    expect(
      edge,
      `🚨 at the edge |gx| = 4 × 170 = 680, clipped to 255 (a Buffer would wrap 680 to 168), got ${edge}`,
    ).toBe(255);
    const far = at(out, 12, 2, 4);
    expect(far, `🚨 far from the edge: 0, got ${far}`).toBe(0);
    const soft = at(sobelEdges(grey(12, 8, (x) => 100 + 5 * x)), 12, 4, 4);
    expect(
      soft,
      `🚨 a gentle left-to-right ramp: gx = (p(x+1) − p(x−1)) × (1 + 2 + 1) = 40, got ${soft}`,
    ).toBe(40);
    const vertical = at(sobelEdges(grey(8, 12, (_, y) => 100 + 5 * y)), 8, 4, 4);
    expect(vertical, `🚨 the same ramp top to bottom: gy = 40, got ${vertical}`).toBe(40);
    const diagonal = at(sobelEdges(grey(12, 12, (x, y) => 50 + 5 * x + 5 * y)), 12, 5, 5);
    expect(
      diagonal,
      `🚨 combine gx and gy as √(gx² + gy²) (Math.hypot): a diagonal ramp with gx = gy = 40 gives 57, got ${diagonal}`,
    ).toBe(57);
  });

  it('sobelEdges on a photo looks like the library edge-sobel filter', async () => {
    const photo = fixture('photos/camera.png');
    const greyPhoto = await toRaw((await openImage(photo)).greyscale());
    const mine = sobelEdges(greyPhoto);
    const library = await toRaw(await builtinFilters['edge-sobel']().apply(await openImage(photo)));
    const libraryGrey = {
      ...library,
      data: Buffer.from(library.data.filter((_, i) => i % library.channels === 0)),
      channels: 1,
    };
    const difference = await compareImages(mine, libraryGrey);
    expect(
      difference.meanAbsDiff,
      '🚨 your Sobel should match the library edge-sobel picture (mean difference per pixel)',
    ).toBeLessThan(2);
  });
});
