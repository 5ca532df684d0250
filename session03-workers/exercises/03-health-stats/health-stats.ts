import { describeValue, InvalidOptionError } from '@workbook/session01';
import type { WorkerLifecycle, WorkerStatus } from '@workbook/session03';

/**
 * Task durations for a health report: the exact average over every task (a running sum and a
 * count, constant memory) and the 95th percentile over the last `windowSize` tasks (a ring
 * buffer: constant memory, and it follows what the worker does now, not last week).
 */
export class DurationStats {
  readonly windowSize: number;
  readonly #window: number[] = [];
  #next = 0;
  #count = 0;
  #sum = 0;

  /** @throws {InvalidOptionError} when `windowSize` is not an integer >= 1. */
  constructor(windowSize = 100) {
    // 🐨 Reject a windowSize that is not an integer >= 1: throw an InvalidOptionError whose
    //    message says what was expected and what came, e.g.
    //    Expected `windowSize` to be an integer >= 1, got `0` (number)
    // 💰 describeValue(windowSize) writes the "`0` (number)" part.
    this.windowSize = windowSize;
    throw new Error('🐨 TODO (03.3): validate windowSize');
  }

  /** @throws {InvalidOptionError} when `durationMs` is not a finite number >= 0. */
  record(durationMs: number): void {
    // 🐨 1. Reject NaN, Infinity and negative values with an InvalidOptionError.
    // 🐨 2. Update the running count and sum (they cover EVERY duration, for the average).
    // 🐨 3. Store the duration in the ring buffer: at index #next, then move #next on,
    //       wrapping around at windowSize, so the oldest value is overwritten.
    throw new Error('🐨 TODO (03.3): record a duration');
  }

  /** How many durations were recorded in total. */
  get count(): number {
    throw new Error('🐨 TODO (03.3): return how many durations were recorded');
  }

  /** Mean of every duration recorded, or `null` before the first. */
  get average(): number | null {
    // 🐨 null before the first duration, else sum / count.
    throw new Error('🐨 TODO (03.3): return the average duration');
  }

  /** Nearest-rank 95th percentile of the window, or `null` before the first duration. */
  get p95(): number | null {
    // 🐨 null when the window is empty. Otherwise sort a COPY of the window (numerically!)
    //    and use the nearest-rank method: rank = ceil(0.95 * n), a 1-based position.
    // 💰 For 1..100 the answer is 95; for 1..20 it is 19; for a single value, that value.
    throw new Error('🐨 TODO (03.3): return the 95th percentile of the window');
  }
}

/** What a worker is doing, from where it is in its life and how many tasks it runs. */
export function workerStatus(lifecycle: WorkerLifecycle, inFlight: number): WorkerStatus {
  // 🐨 'running' becomes 'busy' (inFlight > 0) or 'idle'; every other lifecycle state is
  //    also the status ('created', 'stopping', 'stopped').
  throw new Error(`🐨 TODO (03.3): status of a ${lifecycle} worker with ${inFlight} tasks`);
}
