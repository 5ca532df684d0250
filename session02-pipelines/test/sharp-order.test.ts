import type { SharpOp } from '@workbook/session01';
import { describe, expect, it } from 'vitest';
import { OP_SAMPLES, probeOps, probePair } from '../src/order-probe.ts';
import {
  canJoinPass,
  isInSharpOrder,
  NEVER_SHARE_PASS,
  PASS_ENDING_OPS,
  SHARP_OP_ORDER,
} from '../src/sharp-order.ts';

const probed = SHARP_OP_ORDER.filter((op) => OP_SAMPLES[op]);

describe('the order table agrees with the installed sharp', () => {
  it('applies every pair the planner lets share a pass in call order', async () => {
    const pairs = probed.flatMap((a) =>
      probed.filter((b) => a !== b && canJoinPass([a], [b])).map((b) => [a, b] as const),
    );
    const outcomes = await Promise.all(pairs.map(([a, b]) => probeOps(a, b)));
    const wrong = pairs
      .map(([a, b], i) => `${a} → ${b}: ${outcomes[i]}`)
      .filter((_, i) => outcomes[i] !== 'kept' && outcomes[i] !== 'commute');
    const checked = pairs.length;
    expect(checked, '🚨 the table should let many pairs share a pass').toBeGreaterThan(100);
    expect(wrong, '🚨 these pairs share a pass but sharp does not keep their order').toEqual([]);
  });

  it('needs every exception: each excluded pair really goes wrong in one pipeline', async () => {
    for (const [a, b] of NEVER_SHARE_PASS) {
      expect(['other', 'reordered', 'error'], `🚨 ${a} → ${b} is excluded for no reason`).toContain(
        await probeOps(a, b),
      );
    }
    for (const [a, b] of [
      ['convolve', 'negate'],
      ['recomb', 'linear'],
    ] as Array<[SharpOp, SharpOp]>) {
      expect(PASS_ENDING_OPS.has(a)).toBe(true);
      expect(['other', 'error'], `🚨 ${a} → ${b} should show unclamped values`).toContain(
        await probeOps(a, b),
      );
    }
  });

  it('sharp really reorders: blur then resize in one pipeline resizes first', async () => {
    const outcome = await probePair(OP_SAMPLES.blur![0]!, OP_SAMPLES.resize![0]!);
    expect(outcome).toBe('reordered');
  });

  it('a repeated operation replaces the first call, so it cannot share a pass', async () => {
    const blur = OP_SAMPLES.blur![0]!;
    expect(await probePair(blur, (s) => s.blur(3))).toBe('other');
    expect(isInSharpOrder(['blur', 'blur'])).toBe(false);
  });
});

describe('isInSharpOrder / canJoinPass', () => {
  it('accepts ops in sharp order and rejects them reversed', () => {
    expect(isInSharpOrder(['resize', 'blur', 'sharpen'])).toBe(true);
    expect(isInSharpOrder(['blur', 'resize'])).toBe(false);
    expect(canJoinPass(['resize'], ['blur'])).toBe(true);
    expect(canJoinPass(['blur'], ['resize'])).toBe(false);
  });

  it('lets an idempotent greyscale repeat (grayscale then a greyscale+convolve filter)', () => {
    expect(canJoinPass(['greyscale'], ['greyscale', 'convolve'])).toBe(true);
    expect(canJoinPass(['flip'], ['flip'])).toBe(false);
  });

  it('keeps solo ops alone and ends a pass after convolve or recomb', () => {
    expect(canJoinPass(['resize'], ['custom'])).toBe(false);
    expect(canJoinPass(['custom'], ['blur'])).toBe(false);
    expect(canJoinPass(['gamma'], ['negate'])).toBe(false);
    expect(canJoinPass(['convolve'], ['sharpen'])).toBe(false);
    expect(canJoinPass(['recomb'], ['tint'])).toBe(false);
    expect(canJoinPass([], ['custom'])).toBe(true);
  });

  it('never fuses an excluded pair even with ops in between', () => {
    expect(isInSharpOrder(['resize', 'rotate'])).toBe(false);
    expect(isInSharpOrder(['greyscale', 'resize', 'recomb'])).toBe(false);
  });
});
