import { checkInteger, checkNumber, describeValue, InvalidOptionError } from '@workbook/session01';

/**
 * Task durations for health reports: an exact average over every task, and the 95th percentile
 * over a bounded window of the most recent ones.
 *
 * Why two different scopes: the average needs only a running sum and a count, so it can cover
 * the worker's whole life in constant memory. A percentile needs the values themselves; keeping
 * all of them would grow without bound in a long-running worker, and a p95 over yesterday's
 * tasks would hide that the worker is slow now. So p95 uses a ring buffer of the last
 * `windowSize` durations: constant memory, and it follows changes in the workload.
 *
 * @example
 * const durations = new DurationStats(100);
 * durations.record(120);
 * durations.average; // 120
 * durations.p95; // 120
 */
export class DurationStats {
  readonly windowSize: number;
  readonly #window: number[] = [];
  #next = 0;
  #count = 0;
  #sum = 0;

  /**
   * @param windowSize How many recent durations the percentile covers. @default 100
   * @throws {InvalidOptionError} when `windowSize` is not an integer >= 1.
   */
  constructor(windowSize = 100) {
    this.windowSize = checkInteger('windowSize', windowSize, { min: 1 });
  }

  /**
   * Adds one duration (ms); once the window is full it replaces the oldest one.
   * @throws {InvalidOptionError} when `durationMs` is not a number >= 0.
   */
  record(durationMs: number): void {
    // Measured, not configured: fractions of a millisecond are fine here.
    checkNumber('durationMs', durationMs, { min: 0, unit: 'milliseconds' });
    this.#count++;
    this.#sum += durationMs;
    this.#window[this.#next] = durationMs;
    this.#next = (this.#next + 1) % this.windowSize;
  }

  /** How many durations were recorded in total. */
  get count(): number {
    return this.#count;
  }

  /** Mean of every duration ever recorded, or `null` before the first. */
  get average(): number | null {
    return this.#count === 0 ? null : this.#sum / this.#count;
  }

  /** 95th percentile of the recent window, or `null` before the first duration. */
  get p95(): number | null {
    return this.percentile(95);
  }

  /**
   * The `p`th percentile of the recent window by the nearest-rank method: the smallest recorded
   * value such that at least `p`% of the window is at or below it. Always a value that was
   * actually recorded, never an interpolation.
   * @throws {InvalidOptionError} when `p` is not a number in (0, 100].
   */
  percentile(p: number): number | null {
    if (typeof p !== 'number' || !(p > 0 && p <= 100)) {
      throw new InvalidOptionError(
        `Expected \`p\` to be a percentile > 0 and <= 100, got ${describeValue(p)}`,
      );
    }
    if (this.#window.length === 0) return null;
    const sorted = [...this.#window].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[rank - 1] ?? null;
  }
}
