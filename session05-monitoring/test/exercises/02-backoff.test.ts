import type { ResolvedBackoff } from '@workbook/session05';
import { describe, expect, it } from 'vitest';
import { computeBackoff } from '#ex/02-backoff/backoff.ts';

const options = (over: Partial<ResolvedBackoff> = {}): ResolvedBackoff => ({
  baseMs: 100,
  factor: 2,
  maxMs: 60_000,
  jitter: 'none',
  ...over,
});
const fixed = (value: number) => () => value;

describe('05.2 backoff', () => {
  it('the first retry waits up to baseMs, and each later one doubles', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) => computeBackoff(attempt, options(), fixed(0.5)));
    expect(delays, '🚨 attempt 1 waits baseMs: the exponent is attempt − 1').toEqual([
      100, 200, 400, 800, 1_600,
    ]);
    expect(computeBackoff(3, options({ factor: 3 }), fixed(0)), '🚨 factor is the growth').toBe(
      900,
    );
  });

  it('the ceiling is capped at maxMs', () => {
    expect(computeBackoff(8, options({ maxMs: 5_000 }), fixed(0)), '🚨 cap at maxMs').toBe(5_000);
    expect(
      computeBackoff(2_000, options({ maxMs: 5_000 }), fixed(0)),
      '🚨 even for huge attempts',
    ).toBe(5_000);
  });

  it('equal jitter: between half the ceiling and the ceiling', () => {
    const equal = options({ baseMs: 1_000, jitter: 'equal' });
    expect(computeBackoff(1, equal, fixed(0)), '🚨 never less than ceiling/2').toBe(500);
    expect(computeBackoff(1, equal, fixed(0.5))).toBe(750);
    expect(computeBackoff(2, equal, fixed(0)), '🚨 ceiling of attempt 2 is 2000').toBe(1_000);
    expect(computeBackoff(2, equal, fixed(0.999))).toBe(1_999);
  });

  it('full jitter: anywhere from 0 to the ceiling', () => {
    const full = options({ baseMs: 1_000, jitter: 'full' });
    expect(computeBackoff(1, full, fixed(0))).toBe(0);
    expect(computeBackoff(3, full, fixed(0.25)), '🚨 0.25 × 4000').toBe(1_000);
  });

  it('no jitter mode ever goes past maxMs', () => {
    for (const jitter of ['none', 'equal', 'full'] as const) {
      for (const attempt of [1, 5, 10, 40]) {
        const delay = computeBackoff(
          attempt,
          options({ baseMs: 700, maxMs: 3_000, jitter }),
          fixed(0.999_999),
        );
        expect(
          delay,
          `🚨 ${jitter} jitter, attempt ${attempt}: cap before adding jitter`,
        ).toBeLessThanOrEqual(3_000);
      }
    }
  });

  it('returns whole milliseconds', () => {
    const delay = computeBackoff(1, options({ baseMs: 333, jitter: 'equal' }), fixed(0.3333));
    expect(Number.isInteger(delay), '🚨 Math.floor the delay').toBe(true);
    expect(delay).toBe(221);
  });

  it('refuses an attempt that is not an integer >= 1 with ERR_INVALID_OPTION', () => {
    for (const attempt of [0, -2, 1.5]) {
      expect(() => computeBackoff(attempt, options(), fixed(0)), `🚨 attempt ${attempt}`).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_OPTION',
          message: expect.stringContaining('attempt'),
        }),
      );
    }
  });
});
