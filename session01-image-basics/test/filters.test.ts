import { channelStats, makeImage } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  type BuiltinFilterName,
  builtinFilters,
  defineFilter,
  encode,
  Filter,
  ImageErrorCodes,
  InvalidOptionError,
  isBuiltinFilterName,
  openImage,
  type RawImage,
  toRaw,
} from '../src/index.ts';

/** Applies a built-in filter to an encoded image and returns the resulting pixels. */
async function run(name: BuiltinFilterName, input: Buffer, params: Record<string, unknown> = {}) {
  const filter = builtinFilters[name](params);
  return toRaw(await filter.apply(await openImage(input)));
}

/** A solid image of one colour. */
const solid = (r: number, g = r, b = r, size = 24) =>
  makeImage({ width: size, height: size, fill: { r, g, b } });

/** A 32x32 grey image, dark on the left half and light on the right: one vertical edge. */
async function verticalEdge(): Promise<Buffer> {
  const data = Buffer.alloc(32 * 32);
  for (let i = 0; i < data.length; i++) data[i] = i % 32 < 16 ? 40 : 210;
  return sharp(data, { raw: { width: 32, height: 32, channels: 1 } })
    .png()
    .toBuffer();
}

function column(image: RawImage, x: number, y = Math.floor(image.height / 2)): number {
  return image.data[(y * image.width + x) * image.channels]!;
}

function max(image: RawImage): number {
  let m = 0;
  for (let i = 0; i < image.data.length; i += image.channels) m = Math.max(m, image.data[i]!);
  return m;
}

function stdev(image: RawImage): number {
  let sum = 0;
  let squares = 0;
  const n = image.data.length;
  for (const v of image.data) {
    sum += v;
    squares += v * v;
  }
  return Math.sqrt(squares / n - (sum / n) ** 2);
}

const ALL_NAMES: BuiltinFilterName[] = [
  'grayscale',
  'resize',
  'crop',
  'rotate',
  'flip',
  'flop',
  'blur',
  'brightness',
  'contrast',
  'sharpen',
  'median',
  'edge-laplacian',
  'edge-sobel',
  'emboss',
  'sepia',
  'invert',
  'threshold',
  'saturate',
  'pixelate',
];

describe('builtinFilters', () => {
  it('holds every filter under its own name, frozen', () => {
    expect(Object.keys(builtinFilters).sort()).toEqual([...ALL_NAMES].sort());
    expect(Object.isFrozen(builtinFilters)).toBe(true);
    for (const [name, factory] of Object.entries(builtinFilters)) {
      expect(factory.definition.name).toBe(name);
      expect(factory.definition.ops.length, `${name} names its sharp ops`).toBeGreaterThan(0);
    }
    expect(isBuiltinFilterName('blur')).toBe(true);
    expect(isBuiltinFilterName('toString')).toBe(false);
  });

  it('custom filters (their own passes) are exactly the ones that need several passes', () => {
    const custom = ALL_NAMES.filter((name) =>
      builtinFilters[name].definition.ops.includes('custom'),
    );
    expect(custom).toEqual(['edge-sobel', 'pixelate']);
  });

  it('serialises to a spec and back', () => {
    const blur = builtinFilters.blur({ sigma: 2 });
    expect(blur).toBeInstanceOf(Filter);
    expect(blur.toJSON()).toEqual({ name: 'blur', params: { sigma: 2 } });
    expect(String(blur)).toBe('blur(sigma=2)');
    const again = builtinFilters.blur(blur.toJSON().params);
    expect(again.params).toEqual(blur.params);
  });
});

describe('parameter validation: code, name, value and range in every message', () => {
  it.each<[BuiltinFilterName, Record<string, unknown>, string]>([
    [
      'blur',
      { sigma: 0 },
      'Expected `sigma` of filter `blur` to be a number from 0.3 to 1000, got `0` (number)',
    ],
    [
      'blur',
      { sigma: '2' },
      'Expected `sigma` of filter `blur` to be a number from 0.3 to 1000, got `2` (string)',
    ],
    [
      'brightness',
      { factor: -1 },
      'Expected `factor` of filter `brightness` to be a number from 0 to 4, got `-1` (number)',
    ],
    [
      'contrast',
      { factor: 9 },
      'Expected `factor` of filter `contrast` to be a number from 0 to 4, got `9` (number)',
    ],
    [
      'sharpen',
      { sigma: 50 },
      'Expected `sigma` of filter `sharpen` to be a number from 0.3 to 10, got `50` (number)',
    ],
    [
      'median',
      { size: 4.5 },
      'Expected `size` of filter `median` to be an integer from 3 to 15, got `4.5` (number)',
    ],
    [
      'threshold',
      { value: 256 },
      'Expected `value` of filter `threshold` to be an integer from 0 to 255, got `256` (number)',
    ],
    [
      'sepia',
      { intensity: 2 },
      'Expected `intensity` of filter `sepia` to be a number from 0 to 1, got `2` (number)',
    ],
    [
      'saturate',
      { factor: Number.NaN },
      'Expected `factor` of filter `saturate` to be a number from 0 to 4, got `NaN` (number)',
    ],
    [
      'pixelate',
      { size: 1 },
      'Expected `size` of filter `pixelate` to be an integer from 2 to 256, got `1` (number)',
    ],
    [
      'rotate',
      { angle: 720 },
      'Expected `angle` of filter `rotate` to be a number from -360 to 360, got `720` (number)',
    ],
    [
      'rotate',
      { background: 'red' },
      'Expected `background` of filter `rotate` to be one of `black`, `white`, `transparent`, got `red` (string)',
    ],
    [
      'resize',
      { width: 100, fit: 'squash' },
      'Expected `fit` of filter `resize` to be one of `cover`, `contain`, `fill`, `inside`, `outside`, got `squash` (string)',
    ],
    [
      'resize',
      { width: -5 },
      'Expected `width` of filter `resize` to be an integer from 0 to 16384, got `-5` (number)',
    ],
    [
      'resize',
      { width: 10, allowUpscale: 'yes' },
      'Expected `allowUpscale` of filter `resize` to be true or false, got `yes` (string)',
    ],
    [
      'resize',
      {},
      'Expected `width` or `height` of filter `resize` to be at least 1 (0 means "follow the aspect ratio"), got both 0',
    ],
    [
      'crop',
      { width: 10 },
      'Expected `height` of filter `crop` to be given (an integer from 1 to 1000000)',
    ],
    [
      'edge-laplacian',
      { diagonals: 1 },
      'Expected `diagonals` of filter `edge-laplacian` to be true or false, got `1` (number)',
    ],
    [
      'grayscale',
      { amount: 1 },
      'Filter `grayscale` has no parameter `amount`; it takes no parameters',
    ],
    ['blur', { radius: 3 }, 'Filter `blur` has no parameter `radius`; allowed: sigma'],
  ])('%s %j', (name, params, message) => {
    const attempt = () => builtinFilters[name](params);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidOptionError).code).toBe(ImageErrorCodes.INVALID_OPTION);
    }
  });

  it('every filter builds with its defaults (crop needs its size)', () => {
    for (const name of ALL_NAMES) {
      const params =
        name === 'crop' ? { width: 4, height: 4 } : name === 'resize' ? { width: 4 } : {};
      expect(() => builtinFilters[name](params), name).not.toThrow();
    }
  });
});

describe('pixel behaviour', () => {
  it('grayscale: one channel, or equal channels once encoded', async () => {
    const out = await run('grayscale', await makeImage({ width: 16, height: 16, fill: 'noise' }));
    expect(out.channels).toBe(1);
  });

  it('invert: every value v becomes 255 - v', async () => {
    const out = await run('invert', await solid(10, 100, 250));
    expect([...out.data.subarray(0, 3)]).toEqual([245, 155, 5]);
  });

  it('brightness multiplies values and clips at 255', async () => {
    const out = await run('brightness', await solid(100, 200, 50), { factor: 1.5 });
    expect([...out.data.subarray(0, 3)]).toEqual([150, 255, 75]);
    const black = await run('brightness', await solid(100), { factor: 0 });
    expect(max(black)).toBe(0);
  });

  it('contrast stretches values away from 128', async () => {
    const out = await run('contrast', await solid(100, 150, 128), { factor: 2 });
    expect([...out.data.subarray(0, 3)]).toEqual([72, 172, 128]);
  });

  it('blur lowers the standard deviation of noise', async () => {
    const noise = await makeImage({ width: 48, height: 48, fill: 'noise' });
    const before = stdev(await toRaw(sharp(noise)));
    expect(stdev(await run('blur', noise, { sigma: 2 }))).toBeLessThan(before / 2);
  });

  it('sharpen steepens a soft edge: it overshoots past the original levels 40 and 210', async () => {
    const soft = await sharp(await verticalEdge())
      .blur(1.5)
      .png()
      .toBuffer();
    const out = await run('sharpen', soft, { sigma: 1 });
    expect(max(out)).toBeGreaterThan(215);
    expect(Math.min(...out.data)).toBeLessThan(35);
  });

  it('median removes isolated specks', async () => {
    const data = Buffer.alloc(24 * 24, 60);
    for (const i of [50, 200, 333, 470]) data[i] = 255;
    const specks = await sharp(data, { raw: { width: 24, height: 24, channels: 1 } })
      .png()
      .toBuffer();
    const out = await run('median', specks, { size: 3 });
    expect(max(out)).toBe(60);
  });

  it.each(['edge-laplacian', 'edge-sobel'] as const)(
    '%s gives ~0 on a flat image',
    async (name) => {
      const out = await run(name, await solid(137));
      expect(max(out)).toBeLessThanOrEqual(2);
    },
  );

  it('edge-sobel responds strongly at an edge and not away from it', async () => {
    const out = await run('edge-sobel', await verticalEdge());
    expect(out.channels === 1 || out.channels === 3).toBe(true);
    // |gx| = 4 x (210 - 40) = 680 on both sides of the edge: clipped to white (±1 rounding).
    expect(column(out, 15), 'left of the edge').toBeGreaterThanOrEqual(250);
    expect(column(out, 16), 'right of the edge').toBeGreaterThanOrEqual(250);
    expect(column(out, 5), 'far from the edge').toBe(0);
    expect(column(out, 26)).toBe(0);
  });

  it('edge-laplacian responds on the dark side of an edge, and nowhere else', async () => {
    // Centre weight negative: neighbours brighter than the centre give a positive sum.
    const out = await run('edge-laplacian', await verticalEdge());
    expect(column(out, 15), 'the dark side of the edge').toBe(255); // 3·210 + 5·40 − 8·40 = 510
    expect(column(out, 16), 'the bright side is negative, clipped to 0').toBe(0);
    expect(column(out, 5)).toBe(0);
    expect(column(out, 26)).toBe(0);
    const fourNeighbours = await run('edge-laplacian', await verticalEdge(), { diagonals: false });
    expect(column(fourNeighbours, 15)).toBe(170); // 210 − 40
    const half = await run('edge-laplacian', await verticalEdge(), { diagonals: false, gain: 0.5 });
    expect(column(half, 15), 'gain 0.5 halves the response').toBe(85);
  });

  it('emboss keeps flat areas (its kernel sums to 1)', async () => {
    const out = await run('emboss', await solid(90));
    expect(new Set(out.data)).toEqual(new Set([90]));
  });

  it('sepia turns grey into warm brown: red > green > blue', async () => {
    const [r, g, b] = await run('sepia', await solid(120)).then((o) => [...o.data.subarray(0, 3)]);
    expect(r).toBeGreaterThan(g!);
    expect(g).toBeGreaterThan(b!);
    const none = await run('sepia', await solid(30, 60, 90), { intensity: 0 });
    expect([...none.data.subarray(0, 3)]).toEqual([30, 60, 90]);
  });

  it('threshold leaves only black and white, cut at the value', async () => {
    const out = await run('threshold', await makeImage({ width: 32, height: 32 }), { value: 100 });
    expect([...new Set(out.data)].sort((a, b) => a - b)).toEqual([0, 255]);
    const dark = await run('threshold', await solid(99), { value: 100 });
    expect(max(dark)).toBe(0);
  });

  it('saturate 0 removes colour; more saturation spreads the channels apart', async () => {
    const grey = await run('saturate', await solid(200, 100, 50), { factor: 0 });
    const [r, g, b] = [...grey.data.subarray(0, 3)];
    expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThanOrEqual(2);
    const vivid = await run('saturate', await solid(160, 120, 100), { factor: 2 });
    expect(vivid.data[0]! - vivid.data[2]!).toBeGreaterThan(60);
  });

  it('pixelate makes uniform size x size blocks, same image size', async () => {
    const out = await run('pixelate', await makeImage({ width: 32, height: 32, fill: 'noise' }), {
      size: 8,
    });
    expect([out.width, out.height]).toEqual([32, 32]);
    for (const [bx, by] of [
      [0, 0],
      [8, 16],
      [24, 24],
    ] as const) {
      const first = column(out, bx, by);
      for (let y = by; y < by + 8; y++)
        for (let x = bx; x < bx + 8; x++) expect(column(out, x, y)).toBe(first);
    }
  });

  it('geometry filters: resize without enlarging, crop, rotate, flip, flop', async () => {
    const gradient = await makeImage({ width: 40, height: 20 });
    const resized = await run('resize', gradient, { width: 20, height: 20, fit: 'inside' });
    expect([resized.width, resized.height]).toEqual([20, 10]);
    const notEnlarged = await run('resize', gradient, { width: 400 });
    expect(notEnlarged.width).toBe(40);
    const cropped = await run('crop', gradient, { left: 5, top: 5, width: 10, height: 4 });
    expect([cropped.width, cropped.height]).toEqual([10, 4]);
    const rotated = await run('rotate', gradient, { angle: -90 });
    expect([rotated.width, rotated.height]).toEqual([20, 40]);
    const flipped = await run('flip', gradient);
    const flopped = await run('flop', gradient);
    const original = await toRaw(sharp(gradient));
    expect(column(flipped, 3, 0)).toBe(column(original, 3, 19));
    expect(column(flopped, 0, 3)).toBe(column(original, 39, 3));
  });

  it('crop refuses a region larger than the image it is applied to', async () => {
    const filter = builtinFilters.crop({ width: 100, height: 10 });
    await expect(filter.apply(await openImage(await solid(5)))).rejects.toMatchObject({
      code: ImageErrorCodes.INVALID_OPTION,
    });
  });

  it('every filter runs on a photo with alpha and on a grey photo, and can be encoded', async () => {
    const rgba = await makeImage({ width: 20, height: 16, channels: 4 });
    const grey = await sharp(await makeImage({ width: 20, height: 16 }))
      .greyscale()
      .png()
      .toBuffer();
    for (const name of ALL_NAMES) {
      const params =
        name === 'crop' ? { width: 8, height: 8 } : name === 'resize' ? { width: 10 } : {};
      for (const input of [rgba, grey]) {
        const filter = builtinFilters[name](params);
        const png = await encode(await filter.apply(await openImage(input)), { format: 'png' });
        expect((await sharp(png).metadata()).width, name).toBeGreaterThan(0);
      }
    }
  });
});

describe('defineFilter for your own filter', () => {
  const posterize = defineFilter({
    name: 'posterize-test',
    description: 'Few grey levels',
    params: {
      levels: { type: 'number', min: 2, max: 8, integer: true, default: 4, description: 'levels' },
    },
    ops: ['custom'],
    apply: async (image, { levels }) => {
      const raw = await toRaw(image.greyscale());
      const step = 255 / (levels - 1);
      for (let i = 0; i < raw.data.length; i++)
        raw.data[i] = Math.round(Math.round(raw.data[i]! / step) * step);
      return sharp(raw.data, {
        raw: { width: raw.width, height: raw.height, channels: raw.channels },
      });
    },
  });

  it('validates params and runs', async () => {
    expect(() => posterize({ levels: 9 })).toThrow('`levels` of filter `posterize-test`');
    const out = await toRaw(
      await posterize({ levels: 2 }).apply(await openImage(await makeImage())),
    );
    expect(new Set(out.data).size).toBeLessThanOrEqual(2);
    expect(
      (await channelStats(await encode(sharp(out.data, { raw: out }), { format: 'png' })))[0]!.max,
    ).toBe(255);
  });

  it('runs a definition-level check after the single-parameter checks', () => {
    const range = defineFilter({
      name: 'range-test',
      description: 'low < high',
      params: {
        low: { type: 'number', min: 0, max: 255, default: 0, description: 'low' },
        high: { type: 'number', min: 0, max: 255, default: 255, description: 'high' },
      },
      ops: ['linear'],
      check: ({ low, high }) => {
        if (low >= high)
          throw new InvalidOptionError(`Expected \`low\` < \`high\`, got ${low} and ${high}`);
      },
      apply: (image) => image,
    });
    expect(() => range({ low: 9, high: 3 })).toThrow('Expected `low` < `high`, got 9 and 3');
    expect(range({ low: 3, high: 9 }).params).toEqual({ low: 3, high: 9 });
  });
});
