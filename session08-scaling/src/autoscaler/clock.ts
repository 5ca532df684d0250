/**
 * A compressed clock: model time runs `factor` times faster than the wall clock, so the real
 * defaults (15 s syncs, 30 s polls, 300 s windows and cooldowns) play out in seconds on this
 * machine while the libraries see the times they were written for.
 */
import { checkNumber } from '@workbook/session01';

/** A clock that can be read; the libraries take its readings as `now`. */
export interface Clock {
  /** Now, in model milliseconds. */
  now(): number;
}

/**
 * Model time = start + (wall time since start) × factor.
 * @example
 * const clock = new CompressedClock(20); // 300 s of model time pass in 15 s
 * clock.toWallMs(300_000) // 15000
 */
export class CompressedClock implements Clock {
  readonly factor: number;
  readonly #wallStart: number;
  readonly #wall: () => number;

  /**
   * @param factor model seconds per wall second (1 = real time) @default 1
   * @param wall the wall clock @default Date.now
   * @throws {InvalidOptionError} `ERR_INVALID_OPTION` unless factor is a number from 0.1 to 10000.
   */
  constructor(factor = 1, wall: () => number = Date.now) {
    this.factor = checkNumber('timeScale', factor, { min: 0.1, max: 10_000 });
    this.#wall = wall;
    this.#wallStart = wall();
  }

  now(): number {
    return (this.#wall() - this.#wallStart) * this.factor;
  }

  /** Wall milliseconds since the clock started. */
  wallElapsed(): number {
    return this.#wall() - this.#wallStart;
  }

  /** How long a model duration takes on the wall clock. */
  toWallMs(modelMs: number): number {
    return modelMs / this.factor;
  }
}
