import { AsyncWorker } from './async-worker.ts';
import { ThreadPool, type ThreadPoolOptions } from './thread-pool.ts';
import type { BaseWorkerOptions } from './worker-types.ts';

/** Options of {@link ThreadPoolWorker}. */
export interface ThreadPoolWorkerOptions
  extends BaseWorkerOptions,
    Omit<ThreadPoolOptions, 'size' | 'logger' | 'taskOptions'> {
  /** Number of threads, and so of tasks in flight. @default os.availableParallelism() */
  threads?: number;
  /** Folder every task input must stay in (passed to the image processor in each thread). */
  inputRoot?: string;
  /** Folder every task output must stay in. */
  outputRoot?: string;
}

/**
 * A worker for CPU-bound pipelines: an {@link AsyncWorker} whose slots are the threads of a
 * {@link ThreadPool}, so each of its `threads` in-flight tasks runs in a thread of its own.
 * Errors keep their `code` across the thread boundary; a thread that crashes is replaced and
 * its task fails with `ERR_WORKER_THREAD_CRASHED`.
 *
 * @example
 * const worker = new ThreadPoolWorker({ queue, threads: 2, outputRoot: 'out' });
 * await worker.start(); // resolves once every thread has loaded sharp and the processor
 */
export class ThreadPoolWorker extends AsyncWorker {
  /** The worker's threads (for live views: `pool.threads()`). */
  readonly pool: ThreadPool;

  /** @throws {InvalidOptionError} when an option is invalid. */
  constructor(options: ThreadPoolWorkerOptions) {
    const { threads, inputRoot, outputRoot, ...rest } = options;
    const pool = new ThreadPool({
      ...rest,
      ...(threads === undefined ? {} : { size: threads }),
      taskOptions: {
        ...(inputRoot === undefined ? {} : { inputRoot }),
        ...(outputRoot === undefined ? {} : { outputRoot }),
      },
      ...(options.logger ? { logger: options.logger } : {}),
    });
    // The pool exists before super() so the processor can close over it; its threads start
    // only in start().
    super({ ...options, concurrency: pool.size, processor: (task) => pool.run(task) });
    this.pool = pool;
  }

  protected override async onStart(): Promise<void> {
    await this.pool.start();
  }

  protected override async onStopped(): Promise<void> {
    // Runs after the grace period: any thread still busy holds an abandoned task.
    await this.pool.close();
  }
}
