import { defineFilter } from '../filter.ts';
import { EMBOSS, LAPLACIAN_4, LAPLACIAN_8, SOBEL_X, SOBEL_Y, sharpKernel } from '../kernels.ts';
import { fromRaw, type RawImage, toRaw } from '../raw.ts';

/**
 * `blur`: Gaussian blur; `sigma` is the spread in pixels (about a third of the blur radius).
 *
 * @example
 * blurFilter({ sigma: 4 })
 */
export const blurFilter = defineFilter({
  name: 'blur',
  description: 'Gaussian blur; sigma = spread in pixels',
  params: {
    sigma: { type: 'number', min: 0.3, max: 1000, default: 3, description: 'spread in pixels' },
  },
  ops: ['blur'],
  apply: (image, { sigma }) => image.blur(sigma),
});

/**
 * `sharpen`: unsharp mask — adds back the difference between the image and a blurred copy,
 * which makes edges crisper. `sigma` is the size of the detail that is enhanced.
 *
 * @example
 * sharpenFilter({ sigma: 2 })
 */
export const sharpenFilter = defineFilter({
  name: 'sharpen',
  description: 'Crisper edges (unsharp mask); sigma = size of the detail',
  params: {
    sigma: {
      type: 'number',
      min: 0.3,
      max: 10,
      default: 2,
      description: 'size of the detail in pixels',
    },
  },
  ops: ['sharpen'],
  apply: (image, { sigma }) => image.sharpen({ sigma }),
});

/**
 * `median`: each pixel becomes the median of its `size x size` neighbourhood — removes
 * speckle noise while keeping edges sharper than a blur does.
 *
 * @example
 * medianFilter({ size: 5 })
 */
export const medianFilter = defineFilter({
  name: 'median',
  description: 'Median of each neighbourhood: removes speckles, keeps edges',
  params: {
    size: {
      type: 'number',
      min: 3,
      max: 15,
      integer: true,
      default: 5,
      description: 'neighbourhood width in pixels',
    },
  },
  ops: ['median'],
  apply: (image, { size }) => image.median(size),
});

/**
 * `edge-laplacian`: edges by one convolution with a 3x3 Laplacian kernel (weights summing to 0,
 * so flat areas turn black and only change shows). Works on the grey image. The response is
 * positive on the dark side of an edge (the negative side is clipped to black); `gain`
 * multiplies it, since soft photo edges give small values.
 *
 * @example
 * edgeLaplacianFilter({ diagonals: false, gain: 4 })
 */
export const edgeLaplacianFilter = defineFilter({
  name: 'edge-laplacian',
  description: 'Edges by a 3x3 Laplacian convolution (flat areas go black)',
  params: {
    diagonals: {
      type: 'boolean',
      default: true,
      description: 'use all 8 neighbours (true) or the 4 direct ones (false)',
    },
    gain: { type: 'number', min: 0.1, max: 32, default: 1, description: 'multiplies the response' },
  },
  ops: ['greyscale', 'convolve'],
  apply: (image, { diagonals, gain }) =>
    image
      .greyscale()
      .convolve(sharpKernel(diagonals ? LAPLACIAN_8 : LAPLACIAN_4, { scale: 1 / gain })),
});

/**
 * sharp stores convolution results as bytes (0-255), but a gradient is signed. Storing
 * `gradient / 2 + 128` keeps -254..254, which is all a magnitude clipped at 255 can use.
 */
const GRADIENT_SCALE = 2;
const GRADIENT_OFFSET = 128;

/**
 * `edge-sobel`: edge strength by the Sobel operator: two convolutions (gx across, gy down)
 * combined per pixel into the magnitude `√(gx² + gy²)`. sharp keeps only the last convolve of a
 * pipeline, so this filter runs its own passes over raw pixels (`ops: ['custom']`).
 *
 * @example
 * await encode(await edgeSobelFilter().apply(image), { format: 'png' });
 */
export const edgeSobelFilter = defineFilter({
  name: 'edge-sobel',
  description: 'Edge strength: Sobel gx and gy convolutions combined as sqrt(gx² + gy²)',
  params: {},
  ops: ['custom'],
  apply: async (image) => {
    const grey = await toRaw(image.greyscale());
    const kernelOptions = { scale: GRADIENT_SCALE, offset: GRADIENT_OFFSET };
    const [gx, gy] = await Promise.all([
      toRaw(fromRaw(grey).greyscale().convolve(sharpKernel(SOBEL_X, kernelOptions))),
      toRaw(fromRaw(grey).greyscale().convolve(sharpKernel(SOBEL_Y, kernelOptions))),
    ]);
    return fromRaw(sobelMagnitude(gx, gy));
  },
});

function sobelMagnitude(gx: RawImage, gy: RawImage): RawImage {
  const { width, height } = gx;
  const out = Buffer.alloc(width * height);
  for (let i = 0; i < out.length; i++) {
    const x = (gx.data[i * gx.channels]! - GRADIENT_OFFSET) * GRADIENT_SCALE;
    const y = (gy.data[i * gy.channels]! - GRADIENT_OFFSET) * GRADIENT_SCALE;
    out[i] = Math.min(255, Math.round(Math.hypot(x, y)));
  }
  return { data: out, width, height, channels: 1 };
}

/** `emboss`: a 3x3 kernel that makes edges look raised, lit from the top left. */
export const embossFilter = defineFilter({
  name: 'emboss',
  description: 'Raised-relief look (3x3 emboss convolution)',
  params: {},
  ops: ['convolve'],
  apply: (image) => image.convolve(sharpKernel(EMBOSS)),
});

/**
 * `pixelate`: big square pixels — shrink by `size`, then enlarge back without smoothing.
 * Two resizes in one sharp pipeline would replace each other, so this is a `custom` filter.
 *
 * @example
 * pixelateFilter({ size: 16 })
 */
export const pixelateFilter = defineFilter({
  name: 'pixelate',
  description: 'Big square pixels of size x size',
  params: {
    size: {
      type: 'number',
      min: 2,
      max: 256,
      integer: true,
      default: 12,
      description: 'block size in pixels',
    },
  },
  ops: ['custom'],
  apply: async (image, { size }) => {
    const full = await toRaw(image);
    const small = await toRaw(
      fromRaw(full).resize(
        Math.max(1, Math.round(full.width / size)),
        Math.max(1, Math.round(full.height / size)),
        { fit: 'fill' },
      ),
    );
    return fromRaw(small).resize(full.width, full.height, { fit: 'fill', kernel: 'nearest' });
  },
});
