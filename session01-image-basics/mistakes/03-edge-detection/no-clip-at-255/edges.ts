import type { Kernel3x3, RawImage } from '@workbook/session01';

/** The 4-neighbour Laplacian: the centre against its direct neighbours. Sums to 0. */
export const LAPLACIAN: Kernel3x3 = [0, 1, 0, 1, -4, 1, 0, 1, 0];

/** Sobel gx: brightness change from left to right. */
export const SOBEL_X: Kernel3x3 = [-1, 0, 1, -2, 0, 2, -1, 0, 1];

/** Sobel gy: brightness change from top to bottom. */
export const SOBEL_Y: Kernel3x3 = [-1, -2, -1, 0, 0, 0, 1, 2, 1];

/**
 * Weighted sum of every pixel's 3x3 neighbourhood, with the kernel laid over it as written:
 * `out(x,y) = k[0]·p(x−1,y−1) + k[1]·p(x,y−1) + … + k[8]·p(x+1,y+1)`. Results are signed and
 * unclamped. At the borders, missing neighbours repeat the nearest edge pixel.
 *
 * @param grey a one-channel image.
 * @example
 * const gx = convolve3x3(grey, SOBEL_X);
 */
export function convolve3x3(grey: RawImage, kernel: Kernel3x3): Float32Array {
  const { data, width, height } = grey;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const row = clamp(y + dy, height) * width;
        for (let dx = -1; dx <= 1; dx++) {
          sum += kernel[(dy + 1) * 3 + (dx + 1)]! * data[row + clamp(x + dx, width)]!;
        }
      }
      out[y * width + x] = sum;
    }
  }
  return out;
}

/** Keeps a coordinate inside 0..size−1: the border pixel stands in for the missing ones. */
function clamp(value: number, size: number): number {
  return Math.min(size - 1, Math.max(0, value));
}

/**
 * Edges by the Laplacian: `|convolution|`, clipped to 255. Flat areas give 0, both sides of an
 * edge light up.
 */
export function laplacianEdges(grey: RawImage): RawImage {
  const response = convolve3x3(grey, LAPLACIAN);
  return toGrey(grey, response.map(Math.abs));
}

/** Edge strength by Sobel: `√(gx² + gy²)` per pixel, clipped to 255. */
export function sobelEdges(grey: RawImage): RawImage {
  const gx = convolve3x3(grey, SOBEL_X);
  const gy = convolve3x3(grey, SOBEL_Y);
  return toGrey(
    grey,
    gx.map((x, i) => Math.hypot(x, gy[i]!)),
  );
}

/** Rounds and clips values to a one-channel 8-bit image of the same size. */
function toGrey(like: RawImage, values: Float32Array): RawImage {
  const data = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.round(values[i]!);
  return { data, width: like.width, height: like.height, channels: 1 };
}
