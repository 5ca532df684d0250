import {
  defineFilter,
  describeValue,
  fromRaw,
  InvalidOptionError,
  type RawImage,
  toRaw,
} from '@workbook/session01';

/** The smallest and largest `amount` accepted: beyond ±255 every pixel is already black/white. */
export const MIN_AMOUNT = -255;
export const MAX_AMOUNT = 255;

/**
 * Adds `amount` to every colour value (R, G, B or grey), clamped to 0-255. Alpha is left alone.
 * Returns a new image; the input is not changed.
 *
 * @example
 * const lighter = adjustBrightness(await toRaw(image), 40);
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `amount` is not a number from -255 to 255.
 */
export function adjustBrightness(image: RawImage, amount: number): RawImage {
  if (
    typeof amount !== 'number' ||
    !Number.isFinite(amount) ||
    amount < MIN_AMOUNT ||
    amount > MAX_AMOUNT
  ) {
    throw new InvalidOptionError(
      `Expected \`amount\` to be a number from ${MIN_AMOUNT} to ${MAX_AMOUNT}, got ${describeValue(amount)}`,
    );
  }
  const { data, channels } = image;
  // Grey+alpha (2) and RGBA (4) images carry alpha in their last channel.
  const hasAlpha = channels === 2 || channels === 4;
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) {
    void hasAlpha;
    const isAlpha = i % 4 === 3;
    // A Buffer wraps around (270 is stored as 14), so clamp before storing.
    out[i] = isAlpha ? data[i]! : Math.min(255, Math.max(0, Math.round(data[i]! + amount)));
  }
  return { ...image, data: out };
}

/**
 * The `brightness-offset` filter: {@link adjustBrightness} as a filter with a validated `amount`.
 *
 * @example
 * const image = await brightnessOffsetFilter({ amount: 40 }).apply(await openImage('cat.png'));
 */
export const brightnessOffsetFilter = defineFilter({
  name: 'brightness-offset',
  description: 'Add amount to every colour value, clamped to 0-255',
  params: {
    amount: {
      type: 'number',
      min: MIN_AMOUNT,
      max: MAX_AMOUNT,
      default: 40,
      description: 'added to every colour value',
    },
  },
  ops: ['custom'],
  apply: async (image, { amount }) => fromRaw(adjustBrightness(await toRaw(image), amount)),
});
