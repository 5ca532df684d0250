import { describeValue, InvalidOptionError } from '@workbook/session01';

/** Runs a task when a slot is free; resolves or rejects with the task's own result. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A concurrency limiter: at most `concurrency` tasks run at once; the others wait, first in
 * first out, and start as soon as a slot frees. A failing task (even one that throws before
 * its first `await`) rejects only its own caller and frees its slot like any other. The same
 * limiter serves any number of batches, one after another.
 *
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `concurrency` is not an integer >= 1
 *   (use `describeValue` for the value in the message).
 */
export function createLimiter(concurrency: number): Limit {
  // 🐨 Your code here (`pnpm hint 02.3` when stuck).
  throw new Error('🐨 TODO (02.3): createLimiter() — at most N tasks in flight');
}
