import { describe, expect, it } from 'vitest';
import { DurationStats, workerStatus } from '#ex/03-health-stats/health-stats.ts';

/** 1..n in a fixed scrambled order (37 is prime to 20 and 100), so a p95 that forgets to sort fails. */
const shuffled = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1);

describe('03.3 health statistics', () => {
  it('has no average and no p95 before the first duration', () => {
    const stats = new DurationStats();
    expect(stats.count, '🚨 nothing recorded yet: count is 0').toBe(0);
    expect(stats.average, '🚨 no durations yet: the average is null, not 0').toBeNull();
    expect(stats.p95, '🚨 no durations yet: the p95 is null').toBeNull();
  });

  it('averages every recorded duration', () => {
    const stats = new DurationStats();
    for (const ms of [100, 200, 600]) stats.record(ms);
    expect(stats.count, '🚨 three durations recorded: count is 3').toBe(3);
    expect(stats.average, '🚨 the average of 100, 200 and 600 is (100 + 200 + 600) / 3 = 300').toBe(
      300,
    );
  });

  it('p95 uses the nearest-rank method on sorted durations', () => {
    const numeric = new DurationStats();
    for (const ms of [1000, 9, 100, 10]) numeric.record(ms);
    expect(
      numeric.p95,
      '🚨 sort numbers as numbers, with (a, b) => a - b: the default sort() compares text, and puts 9 after 1000',
    ).toBe(1000);

    const hundred = new DurationStats(100);
    for (const ms of shuffled(100)) hundred.record(ms);
    expect(hundred.p95, '🚨 the p95 of 1..100 is 95 (rank ceil(0.95 × 100) = 95)').toBe(95);

    const twenty = new DurationStats(100);
    for (const ms of shuffled(20)) twenty.record(ms);
    expect(twenty.p95, '🚨 the p95 of 1..20 is 19 (rank ceil(0.95 × 20) = 19)').toBe(19);

    const one = new DurationStats();
    one.record(42);
    expect(one.p95, '🚨 the p95 of a single duration is that duration').toBe(42);
  });

  it('p95 covers only the last `windowSize` durations; the average covers all', () => {
    const stats = new DurationStats(10);
    for (let i = 0; i < 100; i++) stats.record(1000); // a slow start...
    for (let i = 0; i < 10; i++) stats.record(5); // ...then fast
    expect(stats.p95, '🚨 the window holds only the 10 newest durations (all 5 ms)').toBe(5);
    expect(stats.count, '🚨 count covers every duration ever recorded (110)').toBe(110);
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
    expect(
      () => stats.record(0),
      '🚨 a task that took 0 ms is a valid duration (>= 0): only negative, NaN and infinite durations are rejected',
    ).not.toThrow();
    expect(stats.count, '🚨 the 0 ms duration counts: count is 1').toBe(1);
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      expect(() => new DurationStats(bad), `🚨 windowSize ${bad} must be rejected`).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });

  it('a window of 1 is allowed and holds only the newest duration', () => {
    const stats = new DurationStats(1);
    for (const ms of [50, 7, 30]) stats.record(ms);
    expect(stats.p95, '🚨 windowSize 1 is valid: its p95 is the newest duration (30)').toBe(30);
    expect(stats.average, '🚨 the average still covers all three: (50 + 7 + 30) / 3 = 29').toBe(29);
  });

  it('reading the p95 does not disturb the window: the oldest duration is still overwritten next', () => {
    const stats = new DurationStats(3);
    for (const ms of [30, 10, 20]) stats.record(ms);
    expect(stats.p95, '🚨 the p95 of 30, 10, 20 is 30').toBe(30);
    stats.record(5); // overwrites the OLDEST (30): the window is now 10, 20, 5
    expect(
      stats.p95,
      '🚨 after 30, 10, 20 and then 5 with a window of 3, the window is 10, 20, 5 (p95 20). Sort a COPY in p95: sorting the ring buffer itself moves the oldest value away from the slot `record` overwrites next',
    ).toBe(20);
    stats.record(1);
    stats.record(2); // the window is now 5, 1, 2
    expect(
      stats.p95,
      '🚨 the window of 3 after recording 5, 1, 2 holds exactly those (p95 5)',
    ).toBe(5);
  });

  it('derives the status from the lifecycle and the tasks in flight', () => {
    expect(workerStatus('created', 0), "🚨 a created worker's status is 'created'").toBe('created');
    expect(workerStatus('running', 0), '🚨 running with no task is idle').toBe('idle');
    expect(workerStatus('running', 2), '🚨 running with tasks is busy').toBe('busy');
    expect(
      workerStatus('stopping', 1),
      "🚨 a stopping worker is 'stopping', even with tasks still in flight (only a running one is busy or idle)",
    ).toBe('stopping');
    expect(workerStatus('stopped', 0), "🚨 a stopped worker's status is 'stopped'").toBe('stopped');
  });
});
