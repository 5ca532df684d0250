import { defineFilter } from '../filter.ts';
import { grayscaleImage } from '../operations.ts';

/** `grayscale`: one luminance value per pixel. */
export const grayscaleFilter = defineFilter({
  name: 'grayscale',
  description: 'Shades of grey (luminance only)',
  params: {},
  ops: ['greyscale'],
  apply: (image) => grayscaleImage(image),
});

/**
 * `brightness`: multiplies every colour value by `factor` (0 black, 1 unchanged, 2 twice as
 * bright); results above 255 are clipped to white. Alpha is left alone.
 *
 * @example
 * brightnessFilter({ factor: 1.3 })
 */
export const brightnessFilter = defineFilter({
  name: 'brightness',
  description: 'Multiply every colour value by factor (1 = unchanged)',
  params: {
    factor: { type: 'number', min: 0, max: 4, default: 1.3, description: '0 black, 1 unchanged' },
  },
  ops: ['linear'],
  apply: (image, { factor }) => image.linear(factor, 0),
});

/**
 * `contrast`: stretches values away from mid-grey 128 (`factor` > 1) or towards it (< 1):
 * `out = 128 + factor·(in − 128)`, a straight line `a·in + b` with `a = factor`, `b = 128·(1 − factor)`.
 *
 * @example
 * contrastFilter({ factor: 1.5 })
 */
export const contrastFilter = defineFilter({
  name: 'contrast',
  description: 'Stretch values away from mid-grey (1 = unchanged, 0 = flat grey)',
  params: {
    factor: {
      type: 'number',
      min: 0,
      max: 4,
      default: 1.5,
      description: '0 flat grey, 1 unchanged',
    },
  },
  ops: ['linear'],
  apply: (image, { factor }) => image.linear(factor, 128 * (1 - factor)),
});

const SEPIA = [
  [0.393, 0.769, 0.189],
  [0.349, 0.686, 0.168],
  [0.272, 0.534, 0.131],
] as const;

/**
 * `sepia`: the warm brown of old photographs, by mixing the colour channels with a 3x3 matrix
 * (`recomb`). `intensity` blends between the original (0) and full sepia (1).
 *
 * @example
 * sepiaFilter({ intensity: 0.8 })
 */
export const sepiaFilter = defineFilter({
  name: 'sepia',
  description: 'Warm brown tone of old photographs (channel mix by recomb)',
  params: {
    intensity: {
      type: 'number',
      min: 0,
      max: 1,
      default: 1,
      description: '0 original, 1 full sepia',
    },
  },
  ops: ['recomb'],
  apply: (image, { intensity }) => {
    // A blend of the identity matrix (no change) and the sepia matrix.
    const matrix = SEPIA.map((row, r) =>
      row.map((value, c) => intensity * value + (1 - intensity) * (r === c ? 1 : 0)),
    );
    return image.recomb(
      matrix as [[number, number, number], [number, number, number], [number, number, number]],
    );
  },
});

/** `invert`: the photographic negative, `255 − value` per colour channel (alpha kept). */
export const invertFilter = defineFilter({
  name: 'invert',
  description: 'Photographic negative (255 - value)',
  params: {},
  ops: ['negate'],
  apply: (image) => image.negate({ alpha: false }),
});

/**
 * `threshold`: pure black and white — grey values >= `value` become white, the rest black.
 *
 * @example
 * thresholdFilter({ value: 100 })
 */
export const thresholdFilter = defineFilter({
  name: 'threshold',
  description: 'Black and white: grey >= value becomes white, the rest black',
  params: {
    value: {
      type: 'number',
      min: 0,
      max: 255,
      integer: true,
      default: 128,
      description: 'the cut-off grey level',
    },
  },
  ops: ['threshold'],
  apply: (image, { value }) => image.threshold(value, { greyscale: true }),
});

/**
 * `saturate`: more (factor > 1) or less (< 1, 0 = grey) colour, keeping brightness.
 *
 * @example
 * saturateFilter({ factor: 1.8 })
 */
export const saturateFilter = defineFilter({
  name: 'saturate',
  description: 'More or less colour (1 = unchanged, 0 = grey)',
  params: {
    factor: { type: 'number', min: 0, max: 4, default: 1.8, description: '0 grey, 1 unchanged' },
  },
  ops: ['modulate'],
  apply: (image, { factor }) => image.modulate({ saturation: factor }),
});
