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
    if (!Number.isInteger(windowSize) || windowSize < 1) {
      throw new InvalidOptionError(
        `Expected \`windowSize\` to be an integer >= 1, got ${describeValue(windowSize)}`,
      );
    }
    this.windowSize = windowSize;
  }

  /** @throws {InvalidOptionError} when `durationMs` is not a finite number >= 0. */
  record(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs <= 0) {
      throw new InvalidOptionError(
        `Expected a duration to be a finite number of ms >= 0, got ${describeValue(durationMs)}`,
      );
    }
    this.#count++;
    this.#sum += durationMs;
    this.#window[this.#next] = durationMs; // overwrites the oldest once the window is full
    this.#next = (this.#next + 1) % this.windowSize;
  }

  /** How many durations were recorded in total. */
  get count(): number {
    return this.#count;
  }

  /** Mean of every duration recorded, or `null` before the first. */
  get average(): number | null {
    return this.#count === 0 ? null : this.#sum / this.#count;
  }

  /** Nearest-rank 95th percentile of the window, or `null` before the first duration. */
  get p95(): number | null {
    if (this.#window.length === 0) return null;
    const sorted = [...this.#window].sort((a, b) => a - b);
    const rank = Math.ceil(0.95 * sorted.length); // 1-based
    return sorted[rank - 1] ?? null;
  }
}

/** What a worker is doing, from where it is in its life and how many tasks it runs. */
export function workerStatus(lifecycle: WorkerLifecycle, inFlight: number): WorkerStatus {
  if (lifecycle !== 'running') return lifecycle;
  return inFlight > 0 ? 'busy' : 'idle';
}
