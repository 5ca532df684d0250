import { describe, expect, it } from 'vitest';
import { DurationStats, workerStatus } from '#ex/03-health-stats/health-stats.ts';

/** 1..n in a fixed scrambled order (37 is prime to 20 and 100), so a p95 that forgets to sort fails. */
const shuffled = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1);

describe('03.3 health statistics', () => {
  it('has no average and no p95 before the first duration', () => {
    const stats = new DurationStats();
    expect(stats.count).toBe(0);
    expect(stats.average, '🚨 no durations yet: the average is null, not 0').toBeNull();
    expect(stats.p95, '🚨 no durations yet: the p95 is null').toBeNull();
  });

  it('averages every recorded duration', () => {
    const stats = new DurationStats();
    for (const ms of [100, 200, 600]) stats.record(ms);
    expect(stats.count).toBe(3);
    expect(stats.average, '🚨 (100 + 200 + 600) / 3 = 300').toBe(300);
  });

  it('p95 uses the nearest-rank method on sorted durations', () => {
    const hundred = new DurationStats(100);
    for (const ms of shuffled(100)) hundred.record(ms);
    expect(hundred.p95, '🚨 the p95 of 1..100 is 95 (rank ceil(0.95 × 100) = 95)').toBe(95);

    const twenty = new DurationStats(100);
    for (const ms of shuffled(20)) twenty.record(ms);
    expect(twenty.p95, '🚨 the p95 of 1..20 is 19 (rank ceil(0.95 × 20) = 19)').toBe(19);

    const one = new DurationStats();
    one.record(42);
    expect(one.p95, '🚨 the p95 of a single duration is that duration').toBe(42);

    const numeric = new DurationStats();
    for (const ms of [9, 10, 100, 1000]) numeric.record(ms);
    expect(numeric.p95, '🚨 sort numbers as numbers: [9, 10, 100, 1000] → 1000').toBe(1000);
  });

  it('p95 covers only the last `windowSize` durations; the average covers all', () => {
    const stats = new DurationStats(10);
    for (let i = 0; i < 100; i++) stats.record(1000); // a slow start...
    for (let i = 0; i < 10; i++) stats.record(5); // ...then fast
    expect(stats.p95, '🚨 the window holds only the 10 newest durations (all 5 ms)').toBe(5);
    expect(stats.count).toBe(110);
    expect(stats.average, '🚨 the average covers every duration ever recorded').toBeCloseTo(
      (100 * 1000 + 10 * 5) / 110,
      6,
    );
  });

  it('rejects a bad duration or window size with ERR_INVALID_OPTION', () => {
    const stats = new DurationStats();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => stats.record(bad), `🚨 record(${bad}) must be rejected`).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
    expect(stats.count, '🚨 a rejected duration must not be counted').toBe(0);
    for (const bad of [0, 2.5]) {
      expect(() => new DurationStats(bad), `🚨 windowSize ${bad} must be rejected`).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });

  it('derives the status from the lifecycle and the tasks in flight', () => {
    expect(workerStatus('created', 0)).toBe('created');
    expect(workerStatus('running', 0), '🚨 running with no task is idle').toBe('idle');
    expect(workerStatus('running', 2), '🚨 running with tasks is busy').toBe('busy');
    expect(workerStatus('stopping', 1)).toBe('stopping');
    expect(workerStatus('stopped', 0)).toBe('stopped');
  });
});
