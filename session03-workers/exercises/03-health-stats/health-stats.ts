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
    // 🐨 README step 1. The message says what was expected and what came, e.g.
    //    Expected `windowSize` to be an integer >= 1, got `0` (number)   (describeValue helps)
    this.windowSize = windowSize;
    throw new Error('🐨 TODO (03.3): validate windowSize');
  }

  /** @throws {InvalidOptionError} when `durationMs` is not a finite number >= 0. */
  record(durationMs: number): void {
    // 🐨 README step 2: validate, count, then the ring buffer (the oldest value is overwritten).
    throw new Error('🐨 TODO (03.3): record a duration');
  }

  /** How many durations were recorded in total. */
  get count(): number {
    throw new Error('🐨 TODO (03.3): return how many durations were recorded');
  }

  /** Mean of every duration recorded, or `null` before the first. */
  get average(): number | null {
    throw new Error('🐨 TODO (03.3): return the average duration');
  }

  /** Nearest-rank 95th percentile of the window, or `null` before the first duration. */
  get p95(): number | null {
    // 🐨 README step 4. For 1..100 the answer is 95; for 1..20 it is 19; for one value, itself.
    throw new Error('🐨 TODO (03.3): return the 95th percentile of the window');
  }
}

/** What a worker is doing, from where it is in its life and how many tasks it runs. */
export function workerStatus(lifecycle: WorkerLifecycle, inFlight: number): WorkerStatus {
  throw new Error(`🐨 TODO (03.3): status of a ${lifecycle} worker with ${inFlight} tasks`);
}
