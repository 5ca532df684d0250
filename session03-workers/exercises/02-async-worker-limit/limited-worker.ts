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
    // 🐨 Keep up to `this.concurrency` tasks in flight until the worker stops: the four rules
    //    of the README, with the helpers in its table. (`pnpm hint 03.2` if stuck.)
    throw new Error('🐨 TODO (03.2): implement the slot-filling loop of LimitedWorker');
  }

  protected override processTask(task: Task, context: TaskContext): Promise<OutputInfo> {
    return this.#processor(task, context);
  }
}
