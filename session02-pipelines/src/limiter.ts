import { checkInteger } from '@workbook/session01';

/** Runs async functions with at most `concurrency` of them in flight. */
export interface Limiter {
  /**
   * Runs `task` as soon as fewer than `concurrency` tasks are running; resolves or rejects with
   * its result. A task that fails frees its slot like one that succeeds.
   */
  <T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly activeCount: number;
  /** Tasks waiting for a slot. */
  readonly pendingCount: number;
  /** The limit this limiter was created with. */
  readonly concurrency: number;
}

/**
 * Creates a concurrency limiter: the heart of a batch processor. Waiting tasks start in the
 * order they were submitted (first in, first out).
 *
 * @throws {InvalidOptionError} when `concurrency` is not an integer >= 1.
 * @example
 * const limit = createLimiter(4);
 * const sizes = await Promise.all(files.map((f) => limit(() => resizeOne(f))));
 */
export function createLimiter(concurrency: number): Limiter {
  checkInteger('concurrency', concurrency, { min: 1 });
  const queue: Array<() => void> = [];
  let active = 0;

  // Called whenever a slot frees: hand it straight to the next waiting task, if any.
  const next = () => {
    active--;
    const start = queue.shift();
    if (start) start();
  };

  const limit = <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        active++;
        // Promise.resolve().then(task) also turns a synchronous throw into a rejection.
        Promise.resolve().then(task).then(resolve, reject).finally(next);
      };
      if (active < concurrency) start();
      else queue.push(start);
    });

  return Object.defineProperties(limit, {
    activeCount: { get: () => active },
    pendingCount: { get: () => queue.length },
    concurrency: { value: concurrency },
  }) as Limiter;
}
