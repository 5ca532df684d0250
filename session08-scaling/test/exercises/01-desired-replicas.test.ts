import { describe, expect, it } from 'vitest';
import { desiredReplicas } from '#ex/01-desired-replicas/desired-replicas.ts';

const ask = (
  currentReplicas: number,
  currentMetricValue: number,
  desiredMetricValue: number,
  tolerance?: number,
) =>
  desiredReplicas({
    currentReplicas,
    currentMetricValue,
    desiredMetricValue,
    ...(tolerance === undefined ? {} : { tolerance }),
  });

describe('08.1 desired replicas with the tolerance', () => {
  it('the documentation example: 50 pods at 90 % with a 75 % target → 60', () => {
    expect(ask(50, 90, 75), '🚨 ceil(50 × 90 / 75) = 60: replicas scale with current/target').toBe(
      60,
    );
  });

  it('rounds up: 6.1 pods of work need 7 pods (the walkthrough: 1 pod at 305 %, target 50 %)', () => {
    expect(
      ask(1, 305, 50),
      '🚨 ceil(1 × 305 / 50) = ceil(6.1) = 7: round UP, or work is left undone',
    ).toBe(7);
    expect(ask(3, 70, 50), '🚨 ceil(3 × 1.4) = ceil(4.2) = 5').toBe(5);
  });

  it('scales down by the same ratio: 8 pods at 30 % of a 60 % target → 4', () => {
    expect(ask(8, 30, 60), '🚨 a ratio of 0.5 halves the replicas').toBe(4);
    expect(ask(10, 22, 50), '🚨 ceil(10 × 0.44) = 5: a scale-down rounds up too').toBe(5);
  });

  it('no change inside the tolerance (default 0.1): ratios 1.08 and 0.92 keep the count', () => {
    expect(ask(10, 54, 50), '🚨 ratio 1.08 is within 0.1 of 1: keep the 10 replicas').toBe(10);
    expect(ask(10, 46, 50), '🚨 ratio 0.92 is within 0.1 of 1: keep the 10 replicas').toBe(10);
    expect(ask(10, 56, 50), '🚨 ratio 1.12 is outside the tolerance: ceil(11.2) = 12').toBe(12);
  });

  it('the edge of the tolerance is inside: with 0.25, ratios of exactly 1.25 and 0.75 change nothing', () => {
    expect(ask(4, 50, 40, 0.25), '🚨 |1 − 1.25| ≤ 0.25: inside, keep 4').toBe(4);
    expect(ask(4, 30, 40, 0.25), '🚨 |1 − 0.75| ≤ 0.25: inside, keep 4').toBe(4);
    expect(ask(4, 51, 40, 0.25), '🚨 ratio 1.275 is outside: ceil(5.1) = 6').toBe(6);
  });

  it('the tolerance is an input: 0 scales on any change, 0.5 on big ones only', () => {
    expect(ask(10, 51, 50, 0), '🚨 tolerance 0: a ratio of 1.02 already adds a pod').toBe(11);
    expect(ask(10, 70, 50, 0.5), '🚨 tolerance 0.5: a ratio of 1.4 changes nothing').toBe(10);
  });

  it('a target that is not a number > 0 is refused (ERR_INVALID_OPTION naming desiredMetricValue)', () => {
    for (const bad of [0, -5, Number.NaN]) {
      expect(
        () => ask(3, 50, bad),
        `🚨 desiredMetricValue ${bad} must be refused with ERR_INVALID_OPTION`,
      ).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_OPTION',
          message: expect.stringContaining('desiredMetricValue'),
        }),
      );
    }
  });
});
