import { defineFilter, type RawImage } from '@workbook/session01';

/**
 * Darkens the picture towards its corners, like an old lens: every colour value is multiplied by
 * `1 − strength × (d / dMax)²`, where `d` is the distance of the pixel's centre from the image
 * centre and `dMax` the distance from the centre to a corner. Alpha is left alone.
 * Returns a new image; the input is not changed.
 *
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `strength` is not a number from 0 to 1;
 *   the message names `strength`, the value and the range.
 */
export function applyVignette(image: RawImage, strength: number): RawImage {
  // 🐨 Your code here (README steps 1-2; `pnpm hint 01.4` when stuck).
  void image;
  void strength;
  throw new Error('🐨 TODO (01.4): write applyVignette — see exercises/04-my-filter/README.md');
}

/**
 * The `vignette` filter: {@link applyVignette} with a validated `strength` (a number from 0 to 1,
 * default 0.6), built with `defineFilter`.
 */
export const vignetteFilter = defineFilter({
  name: 'vignette',
  description: 'Darker towards the corners, like an old lens',
  // 🐨 README step 3: the parameter, the op, and apply.
  params: {},
  ops: [],
  apply: async () => {
    throw new Error(
      '🐨 TODO (01.4): apply the vignette filter — see exercises/04-my-filter/README.md',
    );
  },
});
