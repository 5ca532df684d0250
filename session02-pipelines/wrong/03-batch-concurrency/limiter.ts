import { describeValue, InvalidOptionError } from '@workbook/session01';

/** Runs a task when a slot is free; resolves or rejects with the task's own result. */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

/** KNOWN-WRONG: `<=` lets one task more than `concurrency` run at once. */
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
    waiting.shift()?.();
  };

  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        active++;
        Promise.resolve().then(task).then(resolve, reject).finally(release);
      };
      if (active <= concurrency) start();
      else waiting.push(start);
    });
}
