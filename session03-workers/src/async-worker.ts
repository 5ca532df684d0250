import { checkInteger } from '@workbook/session01';
import { BaseWorker } from './base-worker.ts';
import { checkProcessor, type ProcessorWorkerOptions } from './simple-worker.ts';
import type { OutputInfo, Task } from './task.ts';
import type { TaskContext, TaskProcessor } from './worker-types.ts';

/** Options of {@link AsyncWorker}. */
export interface AsyncWorkerOptions extends ProcessorWorkerOptions {
  /** Most tasks in flight at once. @default 3 */
  concurrency?: number;
}

/**
 * A worker that keeps up to `concurrency` tasks in flight. Its loop fills free slots: while a
 * slot is free it fetches (a blocking dequeue, no polling) and starts the task without waiting
 * for it; when every slot is taken it sleeps until a task finishes. Under load it therefore
 * runs exactly `concurrency` tasks at once, never more.
 *
 * Concurrency in one thread helps when tasks wait (disk, network, or sharp, whose work runs on
 * libuv's thread pool); for JavaScript that burns CPU, see {@link ThreadPoolWorker}.
 *
 * @example
 * const worker = new AsyncWorker({ queue, processor, concurrency: 3 });
 * await worker.start();
 */
export class AsyncWorker extends BaseWorker {
  readonly concurrency: number;
  readonly #processor: TaskProcessor;

  /** @throws {InvalidOptionError} when an option is invalid. */
  constructor(options: AsyncWorkerOptions) {
    super(options);
    this.concurrency = checkConcurrency(options.concurrency ?? 3);
    this.#processor = checkProcessor(options.processor);
  }

  protected override async fetchLoop(): Promise<void> {
    while (this.isRunning) {
      if (this.inFlightCount >= this.concurrency) {
        await this.waitForChange();
        continue;
      }
      const task = await this.fetchTask();
      // Not awaited: the task runs while the loop fills the next slot.
      if (task) void this.runTask(task);
    }
  }

  protected override processTask(task: Task, context: TaskContext): Promise<OutputInfo> {
    return this.#processor(task, context);
  }
}

/**
 * Checks a concurrency option (session 01's `checkInteger` with `min: 1`).
 * @throws {InvalidOptionError} when it is not an integer >= 1.
 */
export function checkConcurrency(value: unknown, name = 'concurrency'): number {
  return checkInteger(name, value, { min: 1 });
}
