/** Shared helpers of session 05's tests. */
import type { NewTask, OutputInfo, Task } from '@workbook/session03';
import { completedResult, failedResult } from '@workbook/session03';
import { type RedisServerHandle, uniqueName } from '@workbook/tools/testkit';
import { ReliableTaskQueue, type ReliableTaskQueueOptions } from '../src/index.ts';

/** A task that needs no file (for queue mechanics). */
export function newTask(n: number): NewTask {
  return { pipeline: { steps: [] }, input: `in/${n}.png`, output: `out/${n}.png` };
}

export const output: OutputInfo = {
  path: 'out/x.png',
  format: 'png',
  width: 1,
  height: 1,
  bytes: 1,
};

/** A completed result of `task` by `workerId`. */
export function done(task: Task, workerId = 'test') {
  return completedResult(task, output, { workerId, durationMs: 5 });
}

/** A failed result of `task` with an error carrying `code`. */
export function failed(task: Task, code: string, workerId = 'test') {
  const error = Object.assign(new Error(`it failed with ${code}`), { code });
  return failedResult(task, error, { workerId, durationMs: 5 });
}

/**
 * Opens reliable queues on one Redis and closes them all with `closeAll()` (call it in
 * `afterEach`). Queues opened with the same `name` share a queue, like workers do.
 */
export function queueFactory(redis: () => RedisServerHandle) {
  const opened: ReliableTaskQueue[] = [];
  return {
    open(options: ReliableTaskQueueOptions = {}): ReliableTaskQueue {
      const queue = new ReliableTaskQueue({ url: redis().url, name: uniqueName('q'), ...options });
      opened.push(queue);
      return queue;
    },
    async closeAll(): Promise<void> {
      for (const queue of opened.splice(0)) await queue.close();
    },
  };
}

/** Resolves after `ms` (simulated work or a deliberate pause, never a test's wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
