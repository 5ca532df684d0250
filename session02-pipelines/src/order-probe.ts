import type { SharpOp } from '@workbook/session01';
import sharp, { type Sharp } from 'sharp';

/** One concrete call of a sharp operation, used to probe how sharp orders operations. */
export type OpSample = (image: Sharp) => Sharp;

/**
 * Sample calls of the operations in `SHARP_OP_ORDER`, chosen so that each visibly changes a
 * small test image and so that the order of two of them matters. `rotate` is probed with a
 * quarter turn and with 30°, which enlarges the canvas. (`trim` and `flatten` are left out:
 * they need borders or transparency to do anything.)
 */
export const OP_SAMPLES: Readonly<Partial<Record<SharpOp, readonly OpSample[]>>> = Object.freeze({
  extract: [(s) => s.extract({ left: 2, top: 1, width: 20, height: 14 })],
  greyscale: [(s) => s.greyscale()],
  resize: [
    (s) => s.resize({ width: 40, height: 22, fit: 'fill' }),
    (s) => s.resize({ width: 30, height: 26, fit: 'cover', position: 'north' }),
    (s) => s.resize({ width: 30, height: 26, fit: 'contain', background: '#00ff00' }),
  ],
  flip: [(s) => s.flip()],
  flop: [(s) => s.flop()],
  rotate: [(s) => s.rotate(90), (s) => s.rotate(30)],
  affine: [(s) => s.affine([1, 0.3, 0, 1])],
  extend: [(s) => s.extend({ top: 3, left: 6, background: '#ff0000' })],
  median: [(s) => s.median(3)],
  threshold: [(s) => s.threshold(128, { greyscale: false }), (s) => s.threshold(200)],
  blur: [(s) => s.blur(1.5)],
  convolve: [
    (s) => s.convolve({ width: 3, height: 3, kernel: [0, 1, 0, 1, -4, 1, 0, 1, 0], offset: 128 }),
    (s) => s.convolve({ width: 3, height: 3, kernel: [1, 1, 1, 1, -8, 1, 1, 1, 1], scale: 1 }),
  ],
  recomb: [
    (s) =>
      s.recomb([
        [0.393, 0.769, 0.189],
        [0.349, 0.686, 0.168],
        [0.272, 0.534, 0.131],
      ]),
  ],
  modulate: [
    (s) => s.modulate({ brightness: 1.3, saturation: 0.5 }),
    (s) => s.modulate({ brightness: 0.6 }),
  ],
  sharpen: [(s) => s.sharpen({ sigma: 1.5 })],
  linear: [(s) => s.linear(1.5, -20), (s) => s.linear(0.5, 10)],
  normalise: [(s) => s.normalise()],
  clahe: [(s) => s.clahe({ width: 8, height: 8 })],
  tint: [(s) => s.tint({ r: 255, g: 128, b: 0 }), (s) => s.tint({ r: 40, g: 40, b: 120 })],
  negate: [(s) => s.negate({ alpha: false })],
  gamma: [(s) => s.gamma(2.2)],
});

/**
 * What one sharp pipeline does with `A` then `B`:
 * - `kept`: the same as A, then B in separate pipelines (call order respected),
 * - `reordered`: the same as B, then A (sharp moved B first),
 * - `commute`: both orders give the same picture,
 * - `other`: neither (e.g. unclamped intermediate values, a replaced call),
 * - `error`: sharp refused the combination.
 */
export type PairOutcome = 'kept' | 'reordered' | 'commute' | 'other' | 'error';

interface RawPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/**
 * Runs `sharp(x).A().B()` and compares it with A-then-B and B-then-A done as separate
 * pipelines (raw pixels in between), on a 64x48 picture with gradients and noise.
 * Pictures count as equal when no channel value differs by more than `tolerance`.
 *
 * @example
 * await probePair(OP_SAMPLES.blur![0]!, OP_SAMPLES.resize![0]!); // 'reordered'
 */
export async function probePair(a: OpSample, b: OpSample, tolerance = 2): Promise<PairOutcome> {
  const base = await probeImage();
  try {
    const [fused, afterA, afterB] = await Promise.all([
      toPixels(b(a(fromPixels(base)))),
      alone(a, base),
      alone(b, base),
    ]);
    const [ab, ba] = await Promise.all([
      toPixels(b(fromPixels(afterA))),
      toPixels(a(fromPixels(afterB))),
    ]);
    const kept = samePicture(fused, ab, tolerance);
    const reordered = samePicture(fused, ba, tolerance);
    if (kept && reordered) return 'commute';
    if (kept) return 'kept';
    return reordered ? 'reordered' : 'other';
  } catch {
    return 'error';
  }
}

/** The worst outcome over every sample of `a` and `b` (kept/commute only if all are). */
export async function probeOps(a: SharpOp, b: SharpOp): Promise<PairOutcome> {
  const rank: PairOutcome[] = ['commute', 'kept', 'reordered', 'other', 'error'];
  const pairs = (OP_SAMPLES[a] ?? []).flatMap((sampleA) =>
    (OP_SAMPLES[b] ?? []).map((sampleB) => probePair(sampleA, sampleB)),
  );
  const outcomes = await Promise.all(pairs);
  return outcomes.reduce<PairOutcome>(
    (worst, outcome) => (rank.indexOf(outcome) > rank.indexOf(worst) ? outcome : worst),
    'commute',
  );
}

const aloneCache = new WeakMap<OpSample, Promise<RawPixels>>();

/** The probe image after one sample alone (cached: each sample is used in many pairs). */
function alone(sample: OpSample, base: RawPixels): Promise<RawPixels> {
  let result = aloneCache.get(sample);
  if (!result) {
    result = toPixels(sample(fromPixels(base)));
    aloneCache.set(sample, result);
  }
  return result;
}

let probe: Promise<RawPixels> | undefined;

/** 64x48 RGB: a gradient with a chequer, plus seeded noise so blur and sharpen show. */
function probeImage(): Promise<RawPixels> {
  probe ??= (async () => {
    const width = 64;
    const height = 48;
    const data = Buffer.alloc(width * height * 3);
    let state = 7;
    for (let i = 0; i < data.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      const pixel = Math.floor(i / 3);
      const x = pixel % width;
      const y = Math.floor(pixel / width);
      const channel = i % 3;
      const gradient =
        channel === 0
          ? (x / 63) * 255
          : channel === 1
            ? (y / 47) * 255
            : ((x >> 3) + (y >> 3)) % 2
              ? 200
              : 40;
      data[i] = Math.round(gradient * 0.7 + (state >>> 24) * 0.3);
    }
    return { data, width, height, channels: 3 };
  })();
  return probe;
}

function fromPixels(p: RawPixels): Sharp {
  return sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels as 3 } });
}

async function toPixels(image: Sharp): Promise<RawPixels> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Equal shape and values; a one-band grey picture equals the same grey in three bands. */
function samePicture(a: RawPixels, b: RawPixels, tolerance: number): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  const pixels = a.width * a.height;
  const channels = Math.max(a.channels, b.channels);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < channels; c++) {
      const va = a.data[p * a.channels + Math.min(c, a.channels - 1)]!;
      const vb = b.data[p * b.channels + Math.min(c, b.channels - 1)]!;
      if (Math.abs(va - vb) > tolerance) return false;
    }
  }
  return true;
}
