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

/**
 * Asserts one delay with a message that shows the call, the expected delay, how it is made
 * and what came back: `🚨 <why>: computeBackoff(2, {…}, () => 0.5) must be 200, got 400`.
 */
function expectDelay(
  attempt: number,
  over: Partial<ResolvedBackoff>,
  random: number,
  expected: number,
  why: string,
): void {
  const opts = options(over);
  const actual = computeBackoff(attempt, opts, () => random);
  const { baseMs, factor, maxMs, jitter } = opts;
  expect(
    actual,
    `🚨 ${why}: computeBackoff(${attempt}, { baseMs: ${baseMs}, factor: ${factor}, maxMs: ${maxMs}, jitter: '${jitter}' }, () => ${random}) must be ${expected}, got ${actual}`,
  ).toBe(expected);
}

describe('05.2 backoff', () => {
  it('the first retry waits up to baseMs, and each later one grows by factor', () => {
    const why = 'attempt 1 waits baseMs, attempt n waits baseMs × factor^(n − 1)';
    expectDelay(1, {}, 0.5, 100, `${why} (the exponent is attempt − 1)`);
    expectDelay(2, {}, 0.5, 200, why);
    expectDelay(3, {}, 0.5, 400, why);
    expectDelay(5, {}, 0.5, 1_600, why);
    expectDelay(3, { factor: 3 }, 0, 900, 'factor is the growth per attempt: 100 × 3²');
  });

  it('the ceiling is capped at maxMs', () => {
    expectDelay(8, { maxMs: 5_000 }, 0, 5_000, 'cap the ceiling at maxMs (100 × 2⁷ = 12800)');
    expectDelay(2_000, { maxMs: 5_000 }, 0, 5_000, 'even for huge attempts, cap at maxMs');
    expectDelay(7, { maxMs: 6_400 }, 0, 6_400, 'exactly at the cap: 100 × 2⁶ = 6400 = maxMs');
  });

  it('equal jitter: between half the ceiling and the ceiling', () => {
    const equal = { baseMs: 1_000, jitter: 'equal' } as const;
    const why = 'equal jitter is ceiling/2 + random × ceiling/2';
    expectDelay(1, equal, 0, 500, `${why}: never less than half the ceiling`);
    expectDelay(1, equal, 0.5, 750, why);
    expectDelay(2, equal, 0, 1_000, `${why} (the ceiling of attempt 2 is 2000)`);
    expectDelay(2, equal, 0.999, 1_999, why);
  });

  it('full jitter: anywhere from 0 to the ceiling', () => {
    const full = { baseMs: 1_000, jitter: 'full' } as const;
    const why = 'full jitter is random × ceiling';
    expectDelay(1, full, 0, 0, `${why}: it may be 0`);
    expectDelay(3, full, 0.25, 1_000, `${why}: 0.25 × 4000`);
  });

  it('no jitter mode ever goes past maxMs', () => {
    for (const jitter of ['none', 'equal', 'full'] as const) {
      for (const attempt of [1, 5, 10, 40]) {
        const delay = computeBackoff(
          attempt,
          options({ baseMs: 700, maxMs: 3_000, jitter }),
          () => 0.999_999,
        );
        expect(
          delay,
          `🚨 ${jitter} jitter, attempt ${attempt}, maxMs 3000: got ${delay}. Cap the ceiling first, then draw the jitter within it`,
        ).toBeLessThanOrEqual(3_000);
      }
    }
  });

  it('returns whole milliseconds, rounded down', () => {
    const equal = options({ baseMs: 333, jitter: 'equal' });
    const delay = computeBackoff(1, equal, () => 0.3333);
    expect(
      Number.isInteger(delay),
      `🚨 return whole milliseconds (Math.floor the delay), got ${delay}`,
    ).toBe(true);
    expect(delay, '🚨 round DOWN with Math.floor, not to the nearest: 221.99… gives 221').not.toBe(
      222,
    );
    expectDelay(
      1,
      { baseMs: 333, jitter: 'equal' },
      0.3333,
      221,
      'attempt 1 has the ceiling baseMs = 333; equal jitter gives 166.5 + 0.3333 × 166.5 = 221.99…, rounded down',
    );
    expectDelay(1, { baseMs: 333, jitter: 'none' }, 0, 333, 'no jitter: exactly the ceiling');
  });

  it('refuses an attempt that is not an integer >= 1 with ERR_INVALID_OPTION', () => {
    for (const attempt of [0, -2, 1.5, Number.NaN]) {
      let thrown: unknown;
      try {
        computeBackoff(attempt, options(), () => 0);
      } catch (error) {
        thrown = error;
      }
      expect(
        thrown,
        `🚨 computeBackoff(${attempt}, …) must throw an InvalidOptionError (code ERR_INVALID_OPTION) whose message names \`attempt\`: attempts count from 1 (the first delivery)`,
      ).toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringContaining('attempt') });
    }
    expect(
      () => computeBackoff(1, options(), () => 0),
      '🚨 attempt 1 (the first delivery) is valid and must not throw',
    ).not.toThrow();
  });
});
