import type { SharpOp } from '@workbook/session01';

/**
 * The order in which ONE sharp pipeline applies its operations, whatever order they were
 * called in. `sharp(x).blur(2).resize(100)` resizes first and blurs second.
 *
 * How this table was derived (sharp 0.35.5 / libvips 8.18):
 * 1. Read `src/pipeline.cc` of lovell/sharp: `Pipeline::Execute` runs trim, pre-resize extract,
 *    flatten, gamma, greyscale, resize, flip, flop, rotate, post-resize extract, affine, extend,
 *    median, threshold, blur, convolve, recomb, modulate, sharpen, linear, normalise, clahe,
 *    tint and negate, in that order, each at most once.
 * 2. Checked it on real pixels: `demos/sharp-order.ts` runs, for every pair of operations A, B,
 *    `sharp(x).A().B()` and compares it with A-then-B and B-then-A done in two separate
 *    pipelines; `test/sharp-order.test.ts` re-checks every pair this table allows, so an upgrade
 *    of sharp that changes the order fails the tests instead of silently changing pictures.
 *
 * Two wrinkles are handled conservatively rather than modelled:
 * - `extract` runs *before* resize unless resize was called first (then after it), and `rotate`
 *   is moved before resize/extract when called before them. We place `extract` early and
 *   `rotate` after resize: every pair this order allows is applied in call order; a few pairs
 *   that sharp would also get right (rotate→resize, resize→extract) just get a second pass.
 * - `autoOrient`, `gamma` and `custom` are in {@link SOLO_OPS}: autoOrient is an input option,
 *   gamma is applied twice (darken before resize, brighten after it), custom filters run their
 *   own steps.
 */
export const SHARP_OP_ORDER: readonly SharpOp[] = Object.freeze([
  'trim',
  'extract',
  'flatten',
  'greyscale',
  'resize',
  'flip',
  'flop',
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
 * Pairs that are in sharp's order but still must not share a pass. Inside one pipeline sharp
 * keeps intermediate values unclamped (a convolution or recombination can produce -300 or 700),
 * while a separate step would have rounded them to 0-255 first; negate and CLAHE then see
 * different numbers (CLAHE even refuses non-8-bit input). Greyscale leaves one band, which a
 * 3x3 recombination matrix cannot multiply in the same pipeline. Found by `demos/sharp-order.ts`.
 */
export const NEVER_SHARE_PASS: ReadonlyArray<readonly [SharpOp, SharpOp]> = Object.freeze([
  ['convolve', 'negate'],
  ['convolve', 'clahe'],
  ['recomb', 'negate'],
  ['recomb', 'clahe'],
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
 * {@link SHARP_OP_ORDER} (an op that repeats would replace the earlier call), no solo op, and
 * no pair from {@link NEVER_SHARE_PASS}. An empty pass accepts anything.
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
    if (ops.slice(0, i).some((earlier) => neverShare(earlier, op))) return false;
  }
  return true;
}

function neverShare(a: SharpOp, b: SharpOp): boolean {
  return NEVER_SHARE_PASS.some(([x, y]) => x === a && y === b);
}
