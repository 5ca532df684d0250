import { checkFunction } from '@workbook/session01';
import { BaseWorker } from './base-worker.ts';
import type { OutputInfo, Task } from './task.ts';
import type { BaseWorkerOptions, TaskContext, TaskProcessor } from './worker-types.ts';

/** Options of workers that run a processor function in this thread. */
export interface ProcessorWorkerOptions extends BaseWorkerOptions {
  /** Does the work of one task, e.g. `createImageProcessor({ inputRoot, outputRoot })`. */
  processor: TaskProcessor;
}

/**
 * Checks the `processor` option and returns it.
 * @throws {InvalidOptionError} when it is not a function.
 */
export function checkProcessor(processor: unknown): TaskProcessor {
  return checkFunction<TaskProcessor>(
    'processor',
    processor,
    '(task, context) => Promise<OutputInfo>',
  );
}

/**
 * A worker that runs one task at a time: fetch, process, ack, repeat. The easiest worker to
 * reason about, and the baseline the other workers are measured against.
 *
 * @example
 * const worker = new SimpleWorker({ queue, processor: createImageProcessor() });
 * await worker.start();
 * // ... later
 * await worker.stop();
 */
export class SimpleWorker extends BaseWorker {
  readonly #processor: TaskProcessor;

  /** @throws {InvalidOptionError} when an option is invalid. */
  constructor(options: ProcessorWorkerOptions) {
    super(options);
    this.#processor = checkProcessor(options.processor);
  }

  protected override async fetchLoop(): Promise<void> {
    while (this.isRunning) {
      const task = await this.fetchTask();
      if (task) await this.runTask(task);
    }
  }

  protected override processTask(task: Task, context: TaskContext): Promise<OutputInfo> {
    return this.#processor(task, context);
  }
}
