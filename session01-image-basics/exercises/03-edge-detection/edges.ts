import type { Kernel3x3, RawImage } from '@workbook/session01';

// 🐨 Fill in the three kernels, row by row: 9 numbers each (the README says which).

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
  // 🐨 Your code here: one Float32Array value per pixel (`pnpm hint 01.3` when stuck).
  void grey;
  void kernel;
  throw new Error('🐨 TODO (01.3): write convolve3x3 — see exercises/03-edge-detection/README.md');
}

/**
 * Edges by the Laplacian: `|convolution|`, clipped to 255. Flat areas give 0, both sides of an
 * edge light up.
 */
export function laplacianEdges(grey: RawImage): RawImage {
  // 🐨 Your code here: a one-channel RawImage of the same size.
  void grey;
  throw new Error(
    '🐨 TODO (01.3): write laplacianEdges — see exercises/03-edge-detection/README.md',
  );
}

/** Edge strength by Sobel: `√(gx² + gy²)` per pixel, clipped to 255. */
export function sobelEdges(grey: RawImage): RawImage {
  // 🐨 Your code here: a one-channel RawImage of the same size.
  void grey;
  throw new Error('🐨 TODO (01.3): write sobelEdges — see exercises/03-edge-detection/README.md');
}
