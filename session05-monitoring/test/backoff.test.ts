/** computeBackoff: exponential ceilings, the cap, and each jitter mode, with a fixed random. */
import { describe, expect, it } from 'vitest';
import { backoffRange, computeBackoff, DEFAULT_BACKOFF, resolveBackoff } from '../src/index.ts';

const fixed = (value: number) => () => value;

describe('computeBackoff', () => {
  it('doubles the ceiling per attempt from baseMs (attempt 1 = the first delivery)', () => {
    const none = { baseMs: 100, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5].map((a) => computeBackoff(a, none))).toEqual([100, 200, 400, 800, 1600]);
    expect(computeBackoff(3, { baseMs: 100, factor: 3, jitter: 'none' })).toBe(900);
  });

  it('equal jitter: half fixed, half random — between ceiling/2 and ceiling', () => {
    const options = { baseMs: 1_000, jitter: 'equal' as const };
    expect(computeBackoff(1, options, fixed(0))).toBe(500);
    expect(computeBackoff(1, options, fixed(0.5))).toBe(750);
    expect(computeBackoff(1, options, fixed(0.999))).toBe(999);
    expect(computeBackoff(3, options, fixed(0))).toBe(2_000);
  });

  it('full jitter: anywhere from 0 to the ceiling', () => {
    const options = { baseMs: 1_000, jitter: 'full' as const };
    expect(computeBackoff(2, options, fixed(0))).toBe(0);
    expect(computeBackoff(2, options, fixed(0.25))).toBe(500);
    expect(computeBackoff(2, options, fixed(0.999))).toBe(1_998);
  });

  it('never exceeds maxMs, jitter included, even for huge attempts or a bad random source', () => {
    for (const jitter of ['none', 'equal', 'full'] as const) {
      for (const attempt of [10, 30, 1_000, 100_000]) {
        for (const r of [0, 0.5, 0.999_999, 1, 7, Number.NaN]) {
          const delay = computeBackoff(attempt, { baseMs: 1_000, maxMs: 30_000, jitter }, fixed(r));
          expect(delay, `${jitter} attempt ${attempt} random ${r}`).toBeLessThanOrEqual(30_000);
          expect(delay).toBeGreaterThanOrEqual(0);
        }
      }
    }
    expect(computeBackoff(50, { maxMs: 30_000, jitter: 'equal' }, fixed(0))).toBe(15_000);
  });

  it('uses the documented defaults: 1 s base, doubling, 60 s cap, equal jitter', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1_000, factor: 2, maxMs: 60_000, jitter: 'equal' });
    expect(computeBackoff(1, {}, fixed(0))).toBe(500);
    expect(backoffRange(3)).toEqual({ minMs: 2_000, maxMs: 4_000 });
    expect(backoffRange(20)).toEqual({ minMs: 30_000, maxMs: 60_000 });
  });

  it('refuses a bad attempt or bad options with ERR_INVALID_OPTION naming them', () => {
    for (const attempt of [0, -1, 1.5, Number.NaN]) {
      expect(() => computeBackoff(attempt), String(attempt)).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_OPTION',
          message: expect.stringMatching(/attempt/),
        }),
      );
    }
    expect(() => resolveBackoff({ baseMs: -1 })).toThrow(/baseMs/);
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(/factor/);
    expect(() => resolveBackoff({ jitter: 'half' as never })).toThrow(/jitter/);
  });
});
