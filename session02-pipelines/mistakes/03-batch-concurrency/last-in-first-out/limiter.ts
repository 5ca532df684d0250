import { describeValue, InvalidOptionError } from '@workbook/session01';

/** Runs a task when a slot is free; resolves or rejects with the task's own result. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A concurrency limiter: at most `concurrency` tasks run at once; the others wait, first in
 * first out, and start as soon as a slot frees. A failing task frees its slot like any other.
 */
export function createLimiter(concurrency: number): Limit {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError(
      `Expected \`concurrency\` to be an integer >= 1, got ${describeValue(concurrency)}`,
    );
  }
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    active--;
    waiting.pop()?.();
  };

  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        active++;
        Promise.resolve().then(task).then(resolve, reject).finally(release);
      };
      if (active < concurrency) start();
      else waiting.push(start);
    });
}
