import {
  BaseWorker,
  type OutputInfo,
  type ProcessorWorkerOptions,
  type Task,
  type TaskContext,
  type TaskProcessor,
} from '@workbook/session03';

/** Options of {@link LimitedWorker}. */
export interface LimitedWorkerOptions extends ProcessorWorkerOptions {
  /** Most tasks in flight at once (an integer >= 1). */
  concurrency: number;
}

/** A worker that keeps up to `concurrency` tasks in flight: the loop of `AsyncWorker`. */
export class LimitedWorker extends BaseWorker {
  readonly concurrency: number;
  readonly #processor: TaskProcessor;

  constructor(options: LimitedWorkerOptions) {
    super(options);
    this.concurrency = options.concurrency;
    this.#processor = options.processor;
  }

  protected override async fetchLoop(): Promise<void> {
    // 🐨 Loop while `this.isRunning`:
    //    - when `this.inFlightCount` has reached `this.concurrency`, wait with
    //      `await this.waitForChange()` (it resolves when a task finishes or the worker stops),
    //      then go round again;
    //    - otherwise fetch with `await this.fetchTask()` (a blocking dequeue; null on timeout)
    //      and, if you got a task, START it with `this.runTask(task)` WITHOUT awaiting it, so
    //      the loop can fill the next slot while it runs.
    // 💰 Think about the comparison: with concurrency 3 and 3 tasks running, may you fetch?
    throw new Error('🐨 TODO (03.2): implement the slot-filling loop of LimitedWorker');
  }

  protected override processTask(task: Task, context: TaskContext): Promise<OutputInfo> {
    return this.#processor(task, context);
  }
}
