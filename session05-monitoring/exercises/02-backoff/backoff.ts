import type { ResolvedBackoff } from '@workbook/session05';

/**
 * How long to wait before retrying a task whose attempt number `attempt` (1 = the first
 * delivery) just failed: `min(maxMs, baseMs × factor^(attempt − 1))`, with jitter.
 *
 * @example
 * computeBackoff(1, { baseMs: 1000, factor: 2, maxMs: 60_000, jitter: 'equal' }, () => 0.5); // 750
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `attempt` is not an integer >= 1.
 */
export function computeBackoff(
  attempt: number,
  options: ResolvedBackoff,
  random: () => number,
): number {
  // 🐨 The four points of the README, and the curve drawn there. (`pnpm hint 05.2` if stuck.)
  void attempt;
  void options;
  void random;
  throw new Error('🐨 TODO (05.2): compute the exponential backoff delay with jitter');
}
