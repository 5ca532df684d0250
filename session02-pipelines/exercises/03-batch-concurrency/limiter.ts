import { describeValue, InvalidOptionError } from '@workbook/session01';

/** Runs a task when a slot is free; resolves or rejects with the task's own result. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A concurrency limiter: at most `concurrency` tasks run at once; the others wait, first in
 * first out, and start as soon as a slot frees. A failing task frees its slot like any other.
 */
export function createLimiter(concurrency: number): Limit {
  // 🐨 1. Refuse a concurrency that is not an integer >= 1:
  //       throw new InvalidOptionError(`Expected \`concurrency\` to be an integer >= 1, got ${describeValue(concurrency)}`)
  // 🐨 2. Keep a count of running tasks and a FIFO queue of tasks waiting to start.
  // 🐨 3. Return a function `limit(task)` that returns a Promise which
  //       - starts the task now if a slot is free, else queues the start,
  //       - settles with the task's result or error,
  //       - in every case (success AND failure) frees the slot and starts the next waiting task.
  // 💰 Promise.resolve().then(task) turns a task that throws synchronously into a rejection.
  throw new Error('🐨 TODO (02.3): createLimiter() — at most N tasks in flight');
}
