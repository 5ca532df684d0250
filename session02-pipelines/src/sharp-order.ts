import type { SharpOp } from '@workbook/session01';

/**
 * The order in which ONE sharp pipeline applies its operations, whatever order they were
 * called in. `sharp(x).blur(2).resize(100)` resizes first and blurs second.
 *
 * How this table was derived (sharp 0.35.5 / libvips 8.18):
 * 1. Read `src/pipeline.cc` of lovell/sharp: `PipelineWorker::Execute` runs trim, pre-resize
 *    extract, flatten, gamma, greyscale, resize (shrink), flip, flop, rotate, the crop/embed
 *    part of resize (fit `cover`/`contain`), post-resize extract, affine, extend, median,
 *    threshold, blur, convolve, recomb, modulate, sharpen, linear, normalise, clahe, tint and
 *    negate, in that order, each at most once (a second call replaces the first).
 * 2. Measured it on real pixels: `demos/sharp-order.ts` runs, for every pair of operations A, B,
 *    `sharp(x).A().B()` and compares it with A-then-B and B-then-A done as two separate
 *    pipelines (see `probeOps`); `test/sharp-order.test.ts` re-checks every pair this table
 *    lets share a pass, so an upgrade of sharp that changes the order fails the tests instead
 *    of silently changing pictures; the property test checks longer random chains.
 *
 * What the measurements changed compared with a plain reading of pipeline.cc:
 * - flip and flop sit BEFORE resize here: sharp flips between the shrink and the crop of
 *   `fit: 'cover'`, so resize → flip is reordered, while flip → resize comes out right.
 * - `extract` runs before resize unless resize was called first, and `rotate` jumps before
 *   resize/extract when called before them. We place `extract` early and `rotate` after
 *   resize (and never with it, see {@link NEVER_SHARE_PASS}): a few pairs that sharp would get
 *   right anyway (rotate → resize, resize → extract) just get a second pass.
 * - `autoOrient`, `gamma` and `custom` are in {@link SOLO_OPS}: autoOrient is an input option,
 *   gamma is applied twice (darken before resize, brighten after it), custom filters run their
 *   own steps.
 */
export const SHARP_OP_ORDER: readonly SharpOp[] = Object.freeze([
  'trim',
  'extract',
  'flatten',
  'greyscale',
  'flip',
  'flop',
  'resize',
  'rotate',
  'affine',
  'extend',
  'median',
  'threshold',
  'blur',
  'convolve',
  'recomb',
  'modulate',
  'sharpen',
  'linear',
  'normalise',
  'clahe',
  'tint',
  'negate',
] satisfies SharpOp[]);

/** Operations that always get a pass of their own (see {@link SHARP_OP_ORDER}). */
export const SOLO_OPS: ReadonlySet<SharpOp> = new Set<SharpOp>(['custom', 'gamma', 'autoOrient']);

/**
 * Operations whose result sharp keeps UNCLAMPED inside one pipeline: a convolution or a channel
 * mix can produce -300 or 700, which a separate step would have clipped to 0-255 first. Any
 * operation after them that looks at values (linear, negate, a second channel mix, ...) would
 * then see other numbers, so these end their pass. Found by the property test (emboss → sepia)
 * and `demos/sharp-order.ts` (convolve → negate, recomb → linear; CLAHE even refuses the data).
 */
export const PASS_ENDING_OPS: ReadonlySet<SharpOp> = new Set<SharpOp>(['convolve', 'recomb']);

/**
 * Pairs that come in sharp's order but must still not share a pass, found by measuring:
 * - resize → rotate: a quarter turn lands between the shrink and the crop of `fit: 'cover'`,
 *   so the crop box is applied to the turned image (a 24x30 crop comes out 24x30, not 30x24).
 * - greyscale → recomb: one grey band cannot be multiplied by a 3x3 channel matrix.
 */
export const NEVER_SHARE_PASS: ReadonlyArray<readonly [SharpOp, SharpOp]> = Object.freeze([
  ['resize', 'rotate'],
  ['greyscale', 'recomb'],
] as const);

/**
 * Operations for which doing them twice in a row is the same as once, so a repeat may share the
 * pass (`grayscale` followed by `edge-laplacian`, whose own ops start with greyscale). Not flip,
 * flop or negate: twice is the identity, but sharp would do them once.
 */
export const IDEMPOTENT_OPS: ReadonlySet<SharpOp> = new Set<SharpOp>(['greyscale']);

/** Position of `op` in sharp's internal order, or -1 for ops that never share a pass. */
export function sharpOrderOf(op: SharpOp): number {
  return SOLO_OPS.has(op) ? -1 : SHARP_OP_ORDER.indexOf(op);
}

/**
 * Whether a filter whose ops are `next` can join a pass that already runs `passOps` so that
 * sharp still applies everything in the user's order: all ops strictly increasing in
 * {@link SHARP_OP_ORDER} (an op that repeats would replace the earlier call), no solo op,
 * nothing after a {@link PASS_ENDING_OPS} op, and no pair from {@link NEVER_SHARE_PASS}.
 * An empty pass accepts anything.
 *
 * @example
 * canJoinPass(['resize'], ['blur']); // true: sharp resizes before it blurs anyway
 * canJoinPass(['blur'], ['resize']); // false: sharp would resize first
 */
export function canJoinPass(passOps: readonly SharpOp[], next: readonly SharpOp[]): boolean {
  return passOps.length === 0 || isInSharpOrder([...passOps, ...next]);
}

/** True when one sharp pipeline applies `ops` exactly in this order. */
export function isInSharpOrder(sequence: readonly SharpOp[]): boolean {
  const ops = sequence.filter(
    (op, i) => !(i > 0 && op === sequence[i - 1] && IDEMPOTENT_OPS.has(op)),
  );
  if (ops.some((op) => sharpOrderOf(op) < 0)) return ops.length <= 1;
  for (let i = 1; i < ops.length; i++) {
    const op = ops[i]!;
    if (sharpOrderOf(op) <= sharpOrderOf(ops[i - 1]!)) return false;
    const earlier = ops.slice(0, i);
    if (earlier.some((e) => PASS_ENDING_OPS.has(e) || neverShare(e, op))) return false;
  }
  return true;
}

function neverShare(a: SharpOp, b: SharpOp): boolean {
  return NEVER_SHARE_PASS.some(([x, y]) => x === a && y === b);
}
