import type { Kernel3x3, RawImage } from '@workbook/session01';

// 🐨 Fill in the three kernels, row by row (see the README's worked example).
//    They are only read by your functions below, so a wrong kernel shows up in the checks.

/** The 4-neighbour Laplacian: the centre against its direct neighbours. Sums to 0. */
export const LAPLACIAN: Kernel3x3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];

/** Sobel gx: brightness change from left to right. */
export const SOBEL_X: Kernel3x3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];

/** Sobel gy: brightness change from top to bottom. */
export const SOBEL_Y: Kernel3x3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Weighted sum of every pixel's 3x3 neighbourhood, with the kernel laid over it as written:
 * `out(x,y) = k[0]·p(x−1,y−1) + k[1]·p(x,y−1) + … + k[8]·p(x+1,y+1)`. Results are signed and
 * unclamped. At the borders, missing neighbours repeat the nearest edge pixel.
 *
 * @param grey a one-channel image.
 */
export function convolve3x3(grey: RawImage, kernel: Kernel3x3): Float32Array {
  // 🐨 1. Make a Float32Array with one value per pixel (width × height).
  // 🐨 2. For every pixel (x, y), add up kernel[(dy+1)·3 + (dx+1)] × p(x+dx, y+dy) for dx, dy in −1..1.
  //       p(x, y) is grey.data[y·width + x]. Clamp x+dx and y+dy into the image for the borders.
  void grey;
  void kernel;
  throw new Error('🐨 TODO (01.3): write convolve3x3 — see exercises/03-edge-detection/README.md');
}

/**
 * Edges by the Laplacian: `|convolution|`, clipped to 255. Flat areas give 0, both sides of an
 * edge light up.
 */
export function laplacianEdges(grey: RawImage): RawImage {
  // 🐨 3. convolve3x3 with LAPLACIAN, take the absolute value, round, clip to 255,
  //       and return a one-channel RawImage of the same size.
  void grey;
  throw new Error(
    '🐨 TODO (01.3): write laplacianEdges — see exercises/03-edge-detection/README.md',
  );
}

/** Edge strength by Sobel: `√(gx² + gy²)` per pixel, clipped to 255. */
export function sobelEdges(grey: RawImage): RawImage {
  // 🐨 4. Two convolutions (SOBEL_X and SOBEL_Y), combined per pixel with Math.hypot.
  void grey;
  throw new Error('🐨 TODO (01.3): write sobelEdges — see exercises/03-edge-detection/README.md');
}
