import { InvalidOptionError } from '../errors.ts';
import { defineFilter } from '../filter.ts';
import {
  BACKGROUND_COLOURS,
  CROP_POSITIONS,
  cropImage,
  FIT_MODES,
  flipImage,
  flopImage,
  MAX_DIMENSION,
  resizeImage,
  rotateImage,
} from '../operations.ts';

/**
 * `resize`: scale to a box. `0` for `width` or `height` means "follow the aspect ratio".
 * Never enlarges unless `allowUpscale` is true.
 *
 * @example
 * resizeFilter({ width: 300, height: 200, fit: 'inside' })
 */
export const resizeFilter = defineFilter({
  name: 'resize',
  description: 'Scale to a box with a fit mode; never enlarges unless allowUpscale',
  params: {
    width: {
      type: 'number',
      min: 0,
      max: MAX_DIMENSION,
      integer: true,
      default: 0,
      description: 'target width in pixels, 0 = follow the aspect ratio',
    },
    height: {
      type: 'number',
      min: 0,
      max: MAX_DIMENSION,
      integer: true,
      default: 0,
      description: 'target height in pixels, 0 = follow the aspect ratio',
    },
    fit: { type: 'enum', values: FIT_MODES, default: 'cover', description: 'how to fit the box' },
    position: {
      type: 'enum',
      values: CROP_POSITIONS,
      default: 'centre',
      description: 'what `cover` keeps when it crops',
    },
    background: {
      type: 'enum',
      values: BACKGROUND_COLOURS,
      default: 'black',
      description: 'padding colour for `contain`',
    },
    allowUpscale: { type: 'boolean', default: false, description: 'allow enlarging' },
  },
  ops: ['resize'],
  check(params) {
    if (params.width === 0 && params.height === 0) {
      throw new InvalidOptionError(
        'Expected `width` or `height` of filter `resize` to be at least 1 (0 means "follow the aspect ratio"), got both 0',
      );
    }
  },
  apply: (image, { width, height, ...options }) =>
    resizeImage(image, {
      ...options,
      ...(width > 0 ? { width } : {}),
      ...(height > 0 ? { height } : {}),
    }),
});

/**
 * `crop`: keep a rectangle. The rectangle is checked against the size of the image it is applied
 * to (as opened, after orientation) and refused with `ERR_INVALID_OPTION` if it does not fit.
 *
 * @example
 * cropFilter({ left: 10, top: 10, width: 100, height: 80 })
 */
export const cropFilter = defineFilter({
  name: 'crop',
  description: 'Keep the rectangle left, top, width x height',
  params: {
    left: {
      type: 'number',
      min: 0,
      max: 1_000_000,
      integer: true,
      default: 0,
      description: 'x of the top-left corner',
    },
    top: {
      type: 'number',
      min: 0,
      max: 1_000_000,
      integer: true,
      default: 0,
      description: 'y of the top-left corner',
    },
    width: {
      type: 'number',
      min: 1,
      max: 1_000_000,
      integer: true,
      description: 'width in pixels',
    },
    height: {
      type: 'number',
      min: 1,
      max: 1_000_000,
      integer: true,
      description: 'height in pixels',
    },
  },
  ops: ['extract'],
  apply: (image, region) => cropImage(image, region),
});

/**
 * `rotate`: turn clockwise by any angle; other angles than multiples of 90 enlarge the canvas
 * and fill the corners with `background`.
 *
 * @example
 * rotateFilter({ angle: 15, background: 'white' })
 */
export const rotateFilter = defineFilter({
  name: 'rotate',
  description: 'Rotate clockwise by any angle (degrees)',
  params: {
    angle: { type: 'number', min: -360, max: 360, default: 90, description: 'degrees, clockwise' },
    background: {
      type: 'enum',
      values: BACKGROUND_COLOURS,
      default: 'black',
      description: 'colour of the uncovered corners',
    },
  },
  ops: ['rotate'],
  apply: (image, { angle, background }) => rotateImage(image, angle, { background }),
});

/** `flip`: mirror top to bottom. */
export const flipFilter = defineFilter({
  name: 'flip',
  description: 'Mirror vertically (top becomes bottom)',
  params: {},
  ops: ['flip'],
  apply: (image) => flipImage(image),
});

/** `flop`: mirror left to right. */
export const flopFilter = defineFilter({
  name: 'flop',
  description: 'Mirror horizontally (left becomes right)',
  params: {},
  ops: ['flop'],
  apply: (image) => flopImage(image),
});
