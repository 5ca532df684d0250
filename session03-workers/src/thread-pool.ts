import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { checkInteger, deserializeError, type SerializedError } from '@workbook/session01';
import { PoolClosedError, WorkerStateError, WorkerThreadCrashedError } from './errors.ts';
import { type Logger, silentLogger } from './logger.ts';
import type { OutputInfo, Task } from './task.ts';

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Number of threads. @default os.availableParallelism() */
  size?: number;
  /**
   * The module every thread loads (a `.ts` or `.js` file URL or path). It must export
   * a function `(task, taskOptions) => Promise<OutputInfo>` named `exportName`.
   * @default the course's image processor (`image-processor.ts`)
   */
  module?: string | URL;
  /** Name of the function `module` exports. @default 'processImageTask' */
  exportName?: string;
  /**
   * Second argument of the thread function, copied into every thread (structured clone: plain
   * data only), e.g. `{ inputRoot, outputRoot }`.
   * @default {}
   */
  taskOptions?: Record<string, unknown>;
  /**
   * Sets libvips' thread count (`sharp.concurrency`) in each thread once it has loaded sharp.
   * The setting is process-wide, and loading sharp in a new thread resets it (to 1 on glibc
   * Linux), so a value set only in the main thread does not hold once the pool starts.
   * @default undefined (leave sharp's default)
   */
  sharpConcurrency?: number;
  /** Memory limits of each thread (a thread over its limit dies, and is replaced). */
  resourceLimits?: ResourceLimits;
  /** @default silent */
  logger?: Logger;
}

/** What the pool knows about one thread (for live views and tests). */
export interface ThreadInfo {
  /** Node's id of the thread (new for every replacement). */
  threadId: number;
  /** `false` while the thread is still loading its module. */
  ready: boolean;
  /** The task it runs now, or `null` when idle. */
  taskId: string | null;
}

/** Data every thread gets at startup (read by `pool-thread.ts`). */
export interface PoolThreadData {
  entry: string;
  module: string;
  exportName: string;
  taskOptions: Record<string, unknown>;
  sharpConcurrency?: number;
}

/** Messages a thread posts to the pool. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'done'; jobId: number; output: OutputInfo }
  | { type: 'error'; jobId: number; error: SerializedError };

/** The message the pool posts to a thread. */
export interface ToThread {
  type: 'run';
  jobId: number;
  task: Task;
}

interface Job {
  id: number;
  task: Task;
  resolve(output: OutputInfo): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  /** The uncaught error that killed the thread, if one did (the `exit` event follows it). */
  crash: Error | null;
  whenReady: Promise<void>;
}

// A plain .mjs file starts each thread: it registers tsx's loader inside the thread (threads do
// not inherit the loader of a process started by vitest, and `--import tsx` in execArgv is not
// there when the process was not started by tsx), then imports the TypeScript entry.
const BOOTSTRAP = new URL('./pool-bootstrap.mjs', import.meta.url);
const ENTRY = new URL('./pool-thread.ts', import.meta.url).href;
const DEFAULT_MODULE = new URL('./image-processor.ts', import.meta.url).href;

/**
 * A fixed-size pool of `node:worker_threads` threads, each running the same task function.
 * `run(task)` sends the task to an idle thread (or queues it until one is idle) and resolves
 * with the output, or rejects with the thread's error, its `code` intact.
 *
 * A thread that dies (uncaught error, `process.exit`, memory limit) is replaced; the task it was
 * running rejects with `ERR_WORKER_THREAD_CRASHED`.
 *
 * @example
 * const pool = new ThreadPool({ size: 2, taskOptions: { outputRoot: 'out' } });
 * await pool.start();
 * const output = await pool.run(task);
 * await pool.close();
 */
export class ThreadPool {
  readonly size: number;
  readonly #data: Omit<PoolThreadData, 'entry'>;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #logger: Logger;
  readonly #slots = new Set<Slot>();
  readonly #waiting: Job[] = [];
  #nextJobId = 1;
  #state: 'created' | 'started' | 'closed' = 'created';
  #threadsStarted = 0;
  #crashes = 0;

  /** @throws {InvalidOptionError} when an option is invalid. */
  constructor(options: ThreadPoolOptions = {}) {
    const size = checkInteger('size', options.size ?? availableParallelism(), { min: 1 });
    const { sharpConcurrency } = options;
    // 0 means one libvips thread per core (sharp's own default).
    if (sharpConcurrency !== undefined)
      checkInteger('sharpConcurrency', sharpConcurrency, { min: 0 });
    this.size = size;
    this.#data = {
      module: toHref(options.module ?? DEFAULT_MODULE),
      exportName: options.exportName ?? 'processImageTask',
      taskOptions: options.taskOptions ?? {},
      ...(sharpConcurrency === undefined ? {} : { sharpConcurrency }),
    };
    this.#resourceLimits = options.resourceLimits;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'thread-pool' });
  }

  /**
   * Starts the threads and resolves when every one has loaded its module.
   * @throws {WorkerThreadCrashedError} (rejects) when a thread fails to start (e.g. the module
   * does not exist or does not export `exportName`); the other threads are ended.
   * @throws {WorkerStateError} (rejects) when the pool was already started or closed.
   */
  async start(): Promise<void> {
    if (this.#state !== 'created') {
      throw new WorkerStateError(
        `Cannot start a thread pool that is ${this.#state}; create a new one`,
      );
    }
    this.#state = 'started';
    const slots = Array.from({ length: this.size }, () => this.#spawn());
    try {
      await Promise.all(slots.map((slot) => slot.whenReady));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /**
   * Runs a task in the next idle thread.
   * @throws {WorkerThreadCrashedError} (rejects) when the thread dies while running it.
   * @throws {PoolClosedError} (rejects) when the pool is (or gets) closed first.
   * @throws whatever the thread function threw, rebuilt with its `name`, `code` and `message`.
   */
  run(task: Task): Promise<OutputInfo> {
    if (this.#state === 'closed') return Promise.reject(new PoolClosedError(task.id));
    return new Promise<OutputInfo>((resolve, reject) => {
      this.#waiting.push({ id: this.#nextJobId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  /** The live threads and what each is doing. */
  threads(): ThreadInfo[] {
    return [...this.#slots].map((slot) => ({
      threadId: slot.worker.threadId,
      ready: slot.ready,
      taskId: slot.job?.task.id ?? null,
    }));
  }

  /** Threads started so far, replacements included. */
  get threadsStarted(): number {
    return this.#threadsStarted;
  }

  /** Threads that died unexpectedly so far. */
  get crashes(): number {
    return this.#crashes;
  }

  /**
   * Ends every thread at once. Queued and running tasks reject with `ERR_POOL_CLOSED`.
   * Idempotent.
   */
  async close(): Promise<void> {
    this.#state = 'closed';
    for (const job of this.#waiting.splice(0)) job.reject(new PoolClosedError(job.task.id));
    await Promise.all([...this.#slots].map((slot) => slot.worker.terminate()));
  }

  #spawn(): Slot {
    const data: PoolThreadData = { entry: ENTRY, ...this.#data };
    const worker = new Worker(BOOTSTRAP, {
      workerData: data,
      // An empty execArgv: the bootstrap registers tsx itself; inheriting a parent's
      // `--import tsx` would register it twice.
      execArgv: [],
      ...(this.#resourceLimits ? { resourceLimits: this.#resourceLimits } : {}),
    });
    let markReady = () => {};
    let failStart: (error: Error) => void = () => {};
    const slot: Slot = {
      worker,
      ready: false,
      job: null,
      crash: null,
      whenReady: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
    };
    slot.whenReady.catch(() => {}); // observed by start(); a replacement's failure is logged
    this.#slots.add(slot);
    this.#threadsStarted++;
    worker.on('message', (message: FromThread) => {
      if (message.type === 'ready') {
        slot.ready = true;
        markReady();
        this.#dispatch();
      } else {
        this.#settle(slot, message);
      }
    });
    worker.on('error', (error) => {
      slot.crash = error;
    });
    worker.on('exit', (exitCode) => {
      this.#slots.delete(slot);
      if (!slot.ready) {
        failStart(
          new WorkerThreadCrashedError(
            `A worker thread failed to start (${describeExit(slot.crash, exitCode)}); check that ` +
              `\`${this.#data.module}\` loads and exports \`${this.#data.exportName}\``,
            { cause: slot.crash },
          ),
        );
      }
      this.#onExit(slot, exitCode);
    });
    return slot;
  }

  #settle(slot: Slot, message: Exclude<FromThread, { type: 'ready' }>): void {
    const job = slot.job;
    if (!job || job.id !== message.jobId) return;
    slot.job = null;
    if (message.type === 'done') job.resolve(message.output);
    else job.reject(deserializeError(message.error));
    this.#dispatch();
  }

  #onExit(slot: Slot, exitCode: number): void {
    const job = slot.job;
    slot.job = null;
    if (this.#state === 'closed') {
      job?.reject(new PoolClosedError(job.task.id));
      return;
    }
    this.#crashes++;
    const how = describeExit(slot.crash, exitCode);
    this.#logger.error(
      {
        threadId: slot.worker.threadId,
        taskId: job?.task.id,
        exitCode,
        crash: slot.crash?.message,
      },
      'worker thread died',
    );
    job?.reject(
      new WorkerThreadCrashedError(
        `The worker thread running task \`${job.task.id}\` died (${how}); the task was not ` +
          'finished. The thread was replaced; if the same input crashes it again, the input is ' +
          'the cause (too large for the memory limit, or a bug in the processor).',
        { cause: slot.crash },
      ),
    );
    // Replace a thread that had started fine. One that died while starting would die again:
    // replacing it would loop, so the pool runs one thread short and says so.
    if (slot.ready) this.#spawn();
    else this.#logger.error({ exitCode }, 'a worker thread failed to start; not replaced');
    if (this.#slots.size === 0) {
      for (const waiting of this.#waiting.splice(0)) {
        waiting.reject(
          new WorkerThreadCrashedError(
            `No worker thread is left to run task \`${waiting.task.id}\` (${how})`,
          ),
        );
      }
    }
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#waiting.length === 0) return;
      if (!slot.ready || slot.job) continue;
      const job = this.#waiting.shift()!;
      slot.job = job;
      slot.worker.postMessage({ type: 'run', jobId: job.id, task: job.task } satisfies ToThread);
    }
  }
}

function toHref(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith('file:')) return module;
  return pathToFileURL(path.resolve(module)).href;
}

function describeExit(crash: Error | null, exitCode: number): string {
  if (crash) {
    const code = (crash as { code?: unknown }).code;
    return `uncaught ${crash.name}${typeof code === 'string' ? ` ${code}` : ''}: ${crash.message}`;
  }
  return `exit code ${exitCode}`;
}
