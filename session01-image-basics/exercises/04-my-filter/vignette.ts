import { defineFilter, type RawImage } from '@workbook/session01';
// 💰 You will also want: describeValue, fromRaw, InvalidOptionError, toRaw from '@workbook/session01'.

/**
 * Darkens the picture towards its corners, like an old lens: every colour value is multiplied by
 * `1 − strength × (d / dMax)²`, where `d` is the distance of the pixel's centre from the image
 * centre and `dMax` the distance from the centre to a corner. Alpha is left alone.
 */
export function applyVignette(image: RawImage, strength: number): RawImage {
  // 🐨 1. Validate `strength` (a number from 0 to 1) and throw an InvalidOptionError otherwise.
  // 🐨 2. For each pixel, compute its factor from its distance to the centre and multiply
  //       the colour channels by it (not alpha). Return a new RawImage.
  void image;
  void strength;
  throw new Error('🐨 TODO (01.4): write applyVignette — see exercises/04-my-filter/README.md');
}

/** The `vignette` filter: {@link applyVignette} with a validated `strength`. */
export const vignetteFilter = defineFilter({
  name: 'vignette',
  description: 'Darker towards the corners, like an old lens',
  // 🐨 3. Declare `strength`: a number from 0 to 1, default 0.6.
  params: {},
  // 🐨 4. Which SharpOp says "this filter works on raw pixels itself"?
  ops: [],
  apply: async () => {
    // 🐨 5. toRaw → applyVignette → fromRaw.
    throw new Error(
      '🐨 TODO (01.4): apply the vignette filter — see exercises/04-my-filter/README.md',
    );
  },
});
