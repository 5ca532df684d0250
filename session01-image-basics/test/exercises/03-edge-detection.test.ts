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
    expect(fromRight, '🚨 one value per pixel, as a Float32Array').toBeInstanceOf(Float32Array);
    expect(fromRight.length).toBe(20);
    expect(at(fromRight, 5, 1, 2), '🚨 kernel[5] weighs the right neighbour: p(2,2) = 22').toBe(22);
    expect(
      at(convolve3x3(ramp, below), 5, 1, 1),
      '🚨 kernel[7] weighs the one below: p(1,2) = 12',
    ).toBe(12);
  });

  it('convolve3x3 keeps signs and repeats the border pixels', () => {
    const ramp = grey(5, 4, (x, y) => 10 * x + y);
    const difference: Kernel3x3 = [0, 0, 0, -1, 0, 1, 0, 0, 0]; // p(x+1) − p(x−1)
    const out = convolve3x3(ramp, difference);
    expect(at(out, 5, 2, 1), '🚨 inside: 30 − 10 = 20').toBe(20);
    expect(at(out, 5, 0, 1), '🚨 left border: p(−1) repeats p(0), so 10 − 0 = 10').toBe(10);
    expect(at(out, 5, 4, 1), '🚨 right border: p(5) repeats p(4), so 40 − 30 = 10').toBe(10);
    const negative = convolve3x3(ramp, [0, 0, 0, 1, 0, -1, 0, 0, 0]);
    expect(at(negative, 5, 2, 1), '🚨 keep negative sums (a Float32Array, not bytes)').toBe(-20);
  });

  it('flat areas give 0 (the kernels sum to zero)', () => {
    const flat = grey(10, 10, () => 137);
    const laplacian = laplacianEdges(flat);
    const sobel = sobelEdges(flat);
    expect(
      Math.max(...laplacian.data),
      '🚨 Laplacian of a flat image: do its weights add up to 0?',
    ).toBe(0);
    expect(
      Math.max(...sobel.data),
      '🚨 Sobel of a flat image: do gx and gy weights add up to 0?',
    ).toBe(0);
  });

  it('the Laplacian lights up both sides of an edge, nothing else', () => {
    const out = laplacianEdges(EDGE);
    expect([out.width, out.height, out.channels], '🚨 same size, one channel').toEqual([12, 8, 1]);
    expect(at(out, 12, 5, 4), '🚨 dark side: |210 − 40| = 170 (4-neighbour kernel)').toBe(170);
    expect(at(out, 12, 6, 4), '🚨 bright side: |40 − 210| = 170').toBe(170);
    expect(at(out, 12, 2, 4), '🚨 far from the edge: 0').toBe(0);
    expect(at(out, 12, 9, 4)).toBe(0);
  });

  it('Sobel: strong at a vertical edge, blind to the direction along it', () => {
    const out = sobelEdges(EDGE);
    expect([out.width, out.height, out.channels], '🚨 same size, one channel').toEqual([12, 8, 1]);
    expect(at(out, 12, 5, 4), '🚨 |gx| = 4 × 170 = 680, clipped to 255').toBe(255);
    expect(at(out, 12, 2, 4), '🚨 far from the edge: 0').toBe(0);
    const soft = grey(12, 8, (x) => 100 + 5 * x); // a gentle ramp: gx = 4 × 10 = 40 everywhere inside
    expect(at(sobelEdges(soft), 12, 4, 4), '🚨 gx = (p(x+1) − p(x−1)) × (1 + 2 + 1) = 40').toBe(40);
    const horizontal = grey(8, 12, (_, y) => 100 + 5 * y); // the same ramp turned: gy does the work
    expect(at(sobelEdges(horizontal), 8, 4, 4), '🚨 gy must see top-to-bottom change').toBe(40);
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
    expect(difference.meanAbsDiff, '🚨 your Sobel should match the reference picture').toBeLessThan(
      2,
    );
  });
});
