import { defineFilter, type RawImage } from '@workbook/session01';

/** The smallest and largest `amount` accepted: beyond ±255 every pixel is already black/white. */
export const MIN_AMOUNT = -255;
export const MAX_AMOUNT = 255;

/**
 * Adds `amount` to every colour value (R, G, B or grey), clamped to 0-255. Alpha is left alone.
 * Returns a new image; the input is not changed.
 *
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `amount` is not a number from
 *   {@link MIN_AMOUNT} to {@link MAX_AMOUNT}; the message names `amount`, the value and the range.
 */
export function adjustBrightness(image: RawImage, amount: number): RawImage {
  // 🐨 Your code here (README steps 1-3; `pnpm hint 01.2` when stuck).
  void image;
  void amount;
  throw new Error('🐨 TODO (01.2): write adjustBrightness — see exercises/02-brightness/README.md');
}

/**
 * The `brightness-offset` filter: {@link adjustBrightness} as a filter with a validated `amount`
 * (a number from -255 to 255, default 40), built with `defineFilter`.
 */
export const brightnessOffsetFilter = defineFilter({
  name: 'brightness-offset',
  description: 'Add amount to every colour value, clamped to 0-255',
  // 🐨 README steps 4-5: the parameter, the op, and apply.
  params: {},
  ops: [],
  apply: async () => {
    throw new Error(
      '🐨 TODO (01.2): apply the brightness-offset filter — see exercises/02-brightness/README.md',
    );
  },
});
