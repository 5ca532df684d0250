import { defineFilter, type RawImage } from '@workbook/session01';
// 💰 You will also want: describeValue, fromRaw, InvalidOptionError, toRaw from '@workbook/session01'.

/** The smallest and largest `amount` accepted: beyond ±255 every pixel is already black/white. */
export const MIN_AMOUNT = -255;
export const MAX_AMOUNT = 255;

/**
 * Adds `amount` to every colour value (R, G, B or grey), clamped to 0-255. Alpha is left alone.
 * Returns a new image; the input is not changed.
 */
export function adjustBrightness(image: RawImage, amount: number): RawImage {
  // 🐨 1. Validate `amount`: a finite number from MIN_AMOUNT to MAX_AMOUNT. Otherwise throw an
  //       InvalidOptionError: "Expected `amount` to be a number from -255 to 255, got `300` (number)"
  //       (describeValue(amount) writes the "`300` (number)" part).
  // 🐨 2. Make a new Buffer of the same length; for every value add `amount`, round, and clamp
  //       to 0..255 — except the alpha channel (the last one when channels is 2 or 4).
  // 🐨 3. Return { ...image, data: yourNewBuffer }.
  void image;
  void amount;
  throw new Error('🐨 TODO (01.2): write adjustBrightness — see exercises/02-brightness/README.md');
}

/** The `brightness-offset` filter: {@link adjustBrightness} as a filter with a validated `amount`. */
export const brightnessOffsetFilter = defineFilter({
  name: 'brightness-offset',
  description: 'Add amount to every colour value, clamped to 0-255',
  // 🐨 4. Declare the `amount` parameter: a number from MIN_AMOUNT to MAX_AMOUNT, default 40.
  params: {},
  // 🐨 5. This filter computes on raw pixels itself: which SharpOp says so?
  ops: [],
  apply: async () => {
    // 🐨 6. toRaw(image) → adjustBrightness(pixels, amount) → fromRaw(result).
    throw new Error(
      '🐨 TODO (01.2): apply the brightness-offset filter — see exercises/02-brightness/README.md',
    );
  },
});
