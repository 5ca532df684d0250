import type { Kernel } from 'sharp';

/**
 * 3x3 convolution kernels, row by row. A convolution replaces every pixel by the weighted sum of
 * itself and its 8 neighbours, with these weights:
 *
 * ```
 *  a b c      new(x,y) = a·p(x-1,y-1) + b·p(x,y-1) + c·p(x+1,y-1)
 *  d e f               + d·p(x-1,y)   + e·p(x,y)   + f·p(x+1,y)
 *  g h i               + g·p(x-1,y+1) + h·p(x,y+1) + i·p(x+1,y+1)
 * ```
 *
 * Edge kernels sum to 0, so a flat area (all nine pixels equal) gives 0: only change survives.
 */
export type Kernel3x3 = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** Laplacian with the 4 direct neighbours: responds to change in any direction. */
export const LAPLACIAN_4: Kernel3x3 = Object.freeze([0, 1, 0, 1, -4, 1, 0, 1, 0] as const);

/** Laplacian with all 8 neighbours: also responds to diagonal edges. */
export const LAPLACIAN_8: Kernel3x3 = Object.freeze([1, 1, 1, 1, -8, 1, 1, 1, 1] as const);

/** Sobel horizontal gradient gx: large where brightness changes from left to right (vertical edges). */
export const SOBEL_X: Kernel3x3 = Object.freeze([-1, 0, 1, -2, 0, 2, -1, 0, 1] as const);

/** Sobel vertical gradient gy: large where brightness changes from top to bottom (horizontal edges). */
export const SOBEL_Y: Kernel3x3 = Object.freeze([-1, -2, -1, 0, 0, 0, 1, 2, 1] as const);

/** Emboss: sums to 1, so flat areas keep their value and edges look raised. */
export const EMBOSS: Kernel3x3 = Object.freeze([-2, -1, 0, -1, 1, 1, 0, 1, 2] as const);

/**
 * Wraps a 3x3 kernel for sharp's `convolve`. sharp divides the weighted sum by `scale`, which
 * defaults to the sum of the weights — 0 for edge kernels, which would wipe the image out —
 * so the scale is always given explicitly here.
 *
 * @example
 * image.convolve(sharpKernel(LAPLACIAN_4));
 */
export function sharpKernel(
  kernel: Kernel3x3,
  options: { scale?: number; offset?: number } = {},
): Kernel {
  return {
    width: 3,
    height: 3,
    kernel: [...kernel],
    scale: options.scale ?? 1,
    offset: options.offset ?? 0,
  };
}
