import type { FilterFactoryFn } from './filter.ts';
import {
  blurFilter,
  edgeLaplacianFilter,
  edgeSobelFilter,
  embossFilter,
  medianFilter,
  pixelateFilter,
  sharpenFilter,
} from './filters/convolution.ts';
import {
  cropFilter,
  flipFilter,
  flopFilter,
  resizeFilter,
  rotateFilter,
} from './filters/geometry.ts';
import {
  brightnessFilter,
  contrastFilter,
  grayscaleFilter,
  invertFilter,
  saturateFilter,
  sepiaFilter,
  thresholdFilter,
} from './filters/tone.ts';

/** Names of the filters session 01 ships. */
export type BuiltinFilterName =
  | 'grayscale'
  | 'resize'
  | 'crop'
  | 'rotate'
  | 'flip'
  | 'flop'
  | 'blur'
  | 'brightness'
  | 'contrast'
  | 'sharpen'
  | 'median'
  | 'edge-laplacian'
  | 'edge-sobel'
  | 'emboss'
  | 'sepia'
  | 'invert'
  | 'threshold'
  | 'saturate'
  | 'pixelate';

/**
 * Every built-in filter by name: name → factory (call it with params to get a validated
 * {@link Filter}). Frozen, so no code can swap a filter out from under a pipeline.
 *
 * @example
 * const blur = builtinFilters.blur({ sigma: 2 });
 * const edges = builtinFilters['edge-sobel']();
 */
export const builtinFilters: Readonly<Record<BuiltinFilterName, FilterFactoryFn>> = Object.freeze({
  grayscale: grayscaleFilter,
  resize: resizeFilter,
  crop: cropFilter,
  rotate: rotateFilter,
  flip: flipFilter,
  flop: flopFilter,
  blur: blurFilter,
  brightness: brightnessFilter,
  contrast: contrastFilter,
  sharpen: sharpenFilter,
  median: medianFilter,
  'edge-laplacian': edgeLaplacianFilter,
  'edge-sobel': edgeSobelFilter,
  emboss: embossFilter,
  sepia: sepiaFilter,
  invert: invertFilter,
  threshold: thresholdFilter,
  saturate: saturateFilter,
  pixelate: pixelateFilter,
});

/** Whether `name` is one of {@link builtinFilters} (own keys only, so `toString` is not a filter). */
export function isBuiltinFilterName(name: unknown): name is BuiltinFilterName {
  return typeof name === 'string' && Object.hasOwn(builtinFilters, name);
}
