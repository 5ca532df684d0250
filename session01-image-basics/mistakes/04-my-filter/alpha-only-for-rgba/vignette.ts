import {
  defineFilter,
  describeValue,
  fromRaw,
  InvalidOptionError,
  type RawImage,
  toRaw,
} from '@workbook/session01';

/**
 * Darkens the picture towards its corners, like an old lens: every colour value is multiplied by
 * `1 − strength × (d / dMax)²`, where `d` is the distance of the pixel's centre from the image
 * centre and `dMax` the distance from the centre to a corner. Alpha is left alone.
 *
 * @example
 * const framed = applyVignette(await toRaw(image), 0.6);
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `strength` is not a number from 0 to 1.
 */
export function applyVignette(image: RawImage, strength: number): RawImage {
  if (typeof strength !== 'number' || !(strength >= 0 && strength <= 1)) {
    throw new InvalidOptionError(
      `Expected \`strength\` to be a number from 0 to 1, got ${describeValue(strength)}`,
    );
  }
  const { data, width, height, channels } = image;
  const colourChannels = channels === 4 ? 3 : channels;
  const cx = width / 2;
  const cy = height / 2;
  const maxDistanceSquared = cx * cx + cy * cy;
  const out = Buffer.from(data);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const factor = 1 - (strength * (dx * dx + dy * dy)) / maxDistanceSquared;
      const i = (y * width + x) * channels;
      for (let c = 0; c < colourChannels; c++) out[i + c] = Math.round(data[i + c]! * factor);
    }
  }
  return { ...image, data: out };
}

/**
 * The `vignette` filter: {@link applyVignette} with a validated `strength`.
 *
 * @example
 * await vignetteFilter({ strength: 0.8 }).apply(await openImage('coffee.png'));
 */
export const vignetteFilter = defineFilter({
  name: 'vignette',
  description: 'Darker towards the corners, like an old lens',
  params: {
    strength: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0.6,
      description: 'how dark the corners get: 0 none, 1 black',
    },
  },
  ops: ['custom'],
  apply: async (image, { strength }) => fromRaw(applyVignette(await toRaw(image), strength)),
});
