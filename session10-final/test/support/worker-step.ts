/**
 * Plays one worker step in-process for tests that need a finished or dead job without worker
 * processes: take a task with a lease, then run it with session 03's image processor and ack,
 * or fail it with a code.
 */
import path from 'node:path';
import { createImageProcessor } from '@workbook/session03';
import { ReliableTaskQueue } from '@workbook/session05';

export async function consumer(redisUrl: string, queue: string): Promise<ReliableTaskQueue> {
  const q = new ReliableTaskQueue({
    url: redisUrl,
    name: queue,
    owner: 'test-worker',
    maxAttempts: 1,
  });
  await q.connect();
  return q;
}

/** Takes one task and processes it for real (reads uploads/, writes results/). */
export async function processOne(q: ReliableTaskQueue, storageDir: string): Promise<string> {
  const task = await q.dequeue({ timeoutMs: 5_000 });
  if (!task) throw new Error('no task to process');
  const processor = createImageProcessor({
    inputRoot: path.join(storageDir, 'uploads'),
    outputRoot: path.join(storageDir, 'results'),
  });
  const started = Date.now();
  const output = await processor(task, { signal: new AbortController().signal } as never);
  await q.ack(task, {
    taskId: task.id,
    status: 'completed',
    output,
    durationMs: Date.now() - started,
    workerId: 'test-worker',
    attempt: task.attempts,
    finishedAt: Date.now(),
  });
  return task.id;
}

/** Takes one task and fails it for good with `code` (it goes to the DLQ). */
export async function failOne(q: ReliableTaskQueue, code: string): Promise<string> {
  const task = await q.dequeue({ timeoutMs: 5_000 });
  if (!task) throw new Error('no task to fail');
  await q.fail(task, {
    taskId: task.id,
    status: 'failed',
    error: { name: 'ImageInputError', code, message: `test failure ${code}` },
    durationMs: 1,
    workerId: 'test-worker',
    attempt: task.attempts,
    finishedAt: Date.now(),
  });
  return task.id;
}
