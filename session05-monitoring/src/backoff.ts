import { checkNumber, describeValue, InvalidOptionError } from '@workbook/session01';

/**
 * How the random part of a backoff delay is drawn (see the README's backoff curve):
 *
 * - `equal`: half the exponential delay is fixed, the other half random —
 *   `ceiling/2 + random × ceiling/2`. A retry never comes sooner than half the exponential
 *   delay. **The default.**
 * - `full`: anything from 0 to the exponential delay — `random × ceiling`. Spreads retries the
 *   most, but a retry may come almost at once.
 * - `none`: exactly the exponential delay. Every task failed by the same outage comes back in
 *   the same millisecond: a thundering herd. For tests and diagrams only.
 */
export type Jitter = 'full' | 'equal' | 'none';

/** The jitter modes, for validation and help texts. */
export const JITTER_MODES: readonly Jitter[] = ['equal', 'full', 'none'];

/** Options of {@link computeBackoff}. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry (after attempt 1 failed). @default 1000 */
  baseMs?: number;
  /** Growth of the ceiling per attempt. @default 2 */
  factor?: number;
  /** Cap: no delay is ever longer, jitter included. @default 60000 */
  maxMs?: number;
  /** How the random part is drawn. @default 'equal' */
  jitter?: Jitter;
}

/** {@link BackoffOptions} with every default filled in. */
export type ResolvedBackoff = Required<BackoffOptions>;

/** The defaults: 1 s, 2 s, 4 s, ... ceilings, capped at 60 s, equal jitter. */
export const DEFAULT_BACKOFF: ResolvedBackoff = Object.freeze({
  baseMs: 1_000,
  factor: 2,
  maxMs: 60_000,
  jitter: 'equal',
});

/**
 * Checks backoff options once (queues call it in their constructor) and fills in defaults.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` naming the option and the value received.
 */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = { ...DEFAULT_BACKOFF, ...definedOnly(options) };
  checkNumber('baseMs', resolved.baseMs, { min: 0 });
  checkNumber('factor', resolved.factor, { min: 1 });
  checkNumber('maxMs', resolved.maxMs, { min: 0 });
  if (!JITTER_MODES.includes(resolved.jitter)) {
    throw new InvalidOptionError(
      `Expected \`jitter\` to be one of ${JITTER_MODES.join(', ')}, got ${describeValue(resolved.jitter)}`,
    );
  }
  return resolved;
}

/**
 * How long to wait before retrying a task whose attempt number `attempt` (1 = the first
 * delivery) just failed: exponential in the attempt, capped, with jitter.
 *
 * ```
 * ceiling = min(maxMs, baseMs × factor^(attempt − 1))
 * equal:  ceiling/2 + random() × ceiling/2        full: random() × ceiling        none: ceiling
 * ```
 *
 * Pure: the randomness comes in as `random` (any `() => number` in [0, 1)), so tests pass a
 * fixed one. The result is a whole number of ms and never exceeds `maxMs`.
 *
 * @example
 * computeBackoff(1, {}, () => 0.5);  // 750: ceiling 1000, equal jitter → 500 + 0.5 × 500
 * computeBackoff(3, { jitter: 'none' }); // 4000
 * computeBackoff(30, {}, () => 0.999); // 59970: ceiling capped at 60000
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for an attempt that is not an integer >= 1,
 * bad options, or a `random` that is not a function.
 */
export function computeBackoff(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidOptionError(
      `Expected \`attempt\` to be an integer >= 1 (1 = the first delivery), got ${describeValue(attempt)}`,
    );
  }
  if (typeof random !== 'function') {
    throw new InvalidOptionError(
      `Expected \`random\` to be a function returning a number in [0, 1), got ${describeValue(random)}`,
    );
  }
  const { baseMs, factor, maxMs, jitter } = resolveBackoff(options);
  // factor ** (attempt - 1) overflows to Infinity for huge attempts; min() then picks the cap.
  const ceiling = Math.min(maxMs, baseMs * factor ** (attempt - 1));
  if (jitter === 'none') return Math.floor(ceiling);
  const r = clampUnit(random());
  const delay = jitter === 'full' ? r * ceiling : ceiling / 2 + (r * ceiling) / 2;
  return Math.floor(delay);
}

/**
 * The smallest and largest delay {@link computeBackoff} can return for `attempt`: what a demo
 * or a log line shows as "retry in 500-1000 ms".
 * @throws the same as {@link computeBackoff}.
 */
export function backoffRange(
  attempt: number,
  options: BackoffOptions = {},
): { minMs: number; maxMs: number } {
  return {
    minMs: computeBackoff(attempt, options, () => 0),
    maxMs: computeBackoff(attempt, options, () => 1),
  };
}

/** A random source that strays outside [0, 1) must not push a delay past the cap. */
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return Math.min(value, 1);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError(
      `Expected backoff options to be an object, got ${describeValue(options)}`,
    );
  }
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
