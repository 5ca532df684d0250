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

/**
 * Model time that moves only when told to: for tests that decide when a sync, a poll, a
 * stabilization window or a cooldown comes due, instead of leaving it to the machine's speed.
 * @example
 * const clock = new ManualClock();
 * clock.advance(15_000); // the next HPA sync is due
 */
export class ManualClock implements Clock {
  #now: number;

  /** @param start model ms at the start @default 0 */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /**
   * Moves model time forward.
   * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a negative or non-finite step.
   */
  advance(ms: number): number {
    this.#now += checkNumber('ms', ms, { min: 0 });
    return this.#now;
  }
}
