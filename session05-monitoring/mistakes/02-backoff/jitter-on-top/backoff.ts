import { describeValue, InvalidOptionError } from '@workbook/session01';
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
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidOptionError(
      `Expected \`attempt\` to be an integer >= 1 (1 = the first delivery), got ${describeValue(attempt)}`,
    );
  }
  const { baseMs, factor, maxMs, jitter } = options;
  // Cap before the jitter: every jitter mode stays within [0, ceiling], so never above maxMs.
  const ceiling = Math.min(maxMs, baseMs * factor ** (attempt - 1));
  if (jitter === 'none') return Math.floor(ceiling);
  const r = random();
  return Math.floor(jitter === 'full' ? r * ceiling : ceiling + (r * ceiling) / 2);
}
