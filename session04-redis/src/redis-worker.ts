import {
  AsyncWorker,
  type AsyncWorkerOptions,
  createImageProcessor,
  type TaskProcessor,
} from '@workbook/session03';
import type { RedisTaskQueue } from './redis-task-queue.ts';

/** Options of {@link createRedisWorker}. */
export interface RedisWorkerOptions extends Omit<AsyncWorkerOptions, 'queue' | 'processor'> {
  /** The Redis queue to take tasks from. The worker does not close it. */
  queue: RedisTaskQueue;
  /**
   * Does the work of one task.
   * @default createImageProcessor() — session 03's image processor (session 02's `processImage`)
   */
  processor?: TaskProcessor;
}

/**
 * A worker on a Redis queue: session 03's {@link AsyncWorker}, unchanged, given a
 * {@link RedisTaskQueue}. Nothing about the worker had to change — that is the point of the
 * `TaskQueue` interface. What changes is what a crash costs: a task the worker held stays in
 * the queue's `processing` list instead of vanishing with the process.
 *
 * @example
 * const queue = new RedisTaskQueue({ url: process.env.REDIS_URL });
 * const worker = createRedisWorker({ queue, concurrency: 4 });
 * await worker.start();
 * process.once('SIGTERM', async () => { await worker.stop(); await queue.close(); });
 * @throws {InvalidOptionError} when an option is invalid (checked by AsyncWorker).
 */
export function createRedisWorker(options: RedisWorkerOptions): AsyncWorker {
  const { processor, ...rest } = options;
  return new AsyncWorker({ ...rest, processor: processor ?? createImageProcessor() });
}
