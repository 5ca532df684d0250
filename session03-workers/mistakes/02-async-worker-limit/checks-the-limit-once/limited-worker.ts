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
    while (this.isRunning) {
      if (this.inFlightCount >= this.concurrency) await this.waitForChange();
      const task = await this.fetchTask();
      if (task) void this.runTask(task); // not awaited: fill the next slot meanwhile
    }
  }

  protected override processTask(task: Task, context: TaskContext): Promise<OutputInfo> {
    return this.#processor(task, context);
  }
}
