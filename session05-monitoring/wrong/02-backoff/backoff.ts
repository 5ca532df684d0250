import { describeValue, InvalidOptionError } from '@workbook/session01';
import type { ResolvedBackoff } from '@workbook/session05';

/**
 * How long to wait before retrying a task whose attempt number `attempt` (1 = the first
 * delivery) just failed: `min(maxMs, baseMs × factor^(attempt − 1))`, with jitter.
 *
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `attempt` is not an integer >= 1.
 */
export function computeBackoff(
  attempt: number,
  options: ResolvedBackoff,
  random: () => number,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidOptionError(
      `Expected \`attempt\` to be an integer >= 1, got ${describeValue(attempt)}`,
    );
  }
  const { baseMs, factor, maxMs, jitter } = options;
  const ceiling = Math.min(maxMs, baseMs * factor ** attempt);
  if (jitter === 'none') return Math.floor(ceiling);
  const r = random();
  return Math.floor(jitter === 'full' ? r * ceiling : ceiling / 2 + (r * ceiling) / 2);
}
