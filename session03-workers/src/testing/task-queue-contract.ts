/**
 * The TaskQueue contract: one suite of cases every queue backend must pass, run against the
 * in-memory queue (session 03), the Redis queue (session 04) and the reliable queue (session 05).
 * Exported for the other packages' tests as `@workbook/session03/testing` (vitest must be
 * installed where it runs: it defines `describe`/`it` blocks).
 *
 * It uses only the TaskQueue interface. Timeouts are generous enough for Redis over loopback,
 * and every blocking dequeue waits at least 100 ms (Redis's BLMOVE timeout resolution is 10 ms
 * to 1 s depending on the version). No case asserts speed: "returns at once" means "within a
 * bound far above any real latency", and waits are asserted from below only.
 *
 * Backends differ in one place the interface allows: what `fail()` does. {@link
 * TaskQueueCapabilities} says which semantics a backend has, and the suite asserts those.
 *
 * @example
 * import { taskQueueContract } from '@workbook/session03/testing';
 * taskQueueContract('redis', async () => new RedisTaskQueue({ url, name: uniqueName('q') }));
 */
import { afterEach, describe, expect, it } from 'vitest';
import { completedResult, failedResult, type NewTask, type Task } from '../task.ts';
import type { TaskQueue } from '../task-queue.ts';

/**
 * What a backend's `fail()` does; the contract asserts these semantics and no others.
 *
 * - `{ failIsFinal: true }` (sessions 03 and 04): a failed task is failed for good at once: its
 *   result is stored and `stats().failed` counts it.
 * - `{ failIsFinal: false, maxAttempts, nonRetryableCode? }` (session 05's reliable queue): a
 *   failure with a retryable error uses up one attempt and the task is delivered again later
 *   (`attempts` + 1) — meanwhile it has no result and is not counted failed — until it has had
 *   `maxAttempts` deliveries; the failure of the last one is final. A failure with
 *   `nonRetryableCode` is final on the first attempt. The backend must be created with the same
 *   `maxAttempts`, and with retry delays well under {@link RETRY_WITHIN_MS}.
 *
 * @default { failIsFinal: true }
 */
export type TaskQueueCapabilities =
  | { failIsFinal: true }
  | {
      failIsFinal: false;
      /** Deliveries a task gets before a failure is final (2 or more). */
      maxAttempts: number;
      /** An error code the backend never retries, if it has such codes. @default none */
      nonRetryableCode?: string;
    };

/** A bound far above any real latency, used to tell "resolved" from "still blocked". */
const STILL_BLOCKED_AFTER_MS = 5_000;

/** How long the contract waits for a retried task to be delivered again. */
export const RETRY_WITHIN_MS = 10_000;

const meta = { workerId: 'contract-worker', durationMs: 12 };

/** A completed result for `task` with a made-up one-pixel output. */
function doneResult(task: Task) {
  return completedResult(
    task,
    { path: task.output, format: 'png', width: 1, height: 1, bytes: 1 },
    meta,
  );
}

function newTask(n: number): NewTask {
  return {
    pipeline: { steps: [{ name: 'resize', params: { width: 32 } }], output: { format: 'png' } },
    input: `in/photo-${n}.png`,
    output: `out/photo-${n}.png`,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the promise's value, or with `'still blocked'` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still blocked'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'still blocked'>((resolve) => {
    timer = setTimeout(() => resolve('still blocked'), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Defines `describe('TaskQueue contract: <backend>')` with the contract's cases.
 * `createQueue` must return a new, empty queue each time; the suite closes every queue it
 * creates after each test.
 * @param capabilities how the backend's `fail()` behaves @default { failIsFinal: true }
 */
export function taskQueueContract(
  backend: string,
  createQueue: () => Promise<TaskQueue>,
  capabilities: TaskQueueCapabilities = { failIsFinal: true },
): void {
  if (!capabilities.failIsFinal && !(capabilities.maxAttempts >= 2)) {
    throw new Error('taskQueueContract: with failIsFinal false, maxAttempts must be 2 or more');
  }
  // The code whose failure is final on the first attempt, if the backend has one.
  const finalCode = capabilities.failIsFinal ? 'ERR_FILE_NOT_FOUND' : capabilities.nonRetryableCode;
  describe(`TaskQueue contract: ${backend}`, () => {
    const opened: TaskQueue[] = [];
    const open = async () => {
      const queue = await createQueue();
      opened.push(queue);
      return queue;
    };

    afterEach(async () => {
      for (const queue of opened.splice(0)) await queue.close().catch(() => {});
    });

    it('enqueue stores the task with an id, attempts 0 and createdAt; a given id is kept', async () => {
      const queue = await open();
      const before = Date.now();
      const stored = await queue.enqueue(newTask(1));
      expect(stored.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(stored.attempts).toBe(0);
      expect(stored.createdAt).toBeGreaterThanOrEqual(before - 1000);
      const named = await queue.enqueue({ ...newTask(2), id: 'my-own-id' });
      expect(named.id).toBe('my-own-id');
    });

    it('delivers tasks in FIFO order', async () => {
      const queue = await open();
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push((await queue.enqueue(newTask(n))).id);
      const got: string[] = [];
      for (let n = 0; n < 5; n++) got.push((await queue.dequeue({ timeoutMs: 1_000 }))!.id);
      expect(got).toEqual(ids);
    });

    it('dequeue counts the delivery: attempts 1 and startedAt set', async () => {
      const queue = await open();
      const stored = await queue.enqueue(newTask(1));
      const task = await queue.dequeue({ timeoutMs: 1_000 });
      expect(task?.attempts).toBe(1);
      expect(task?.startedAt).toBeGreaterThanOrEqual(stored.createdAt);
    });

    it('tasks round-trip unchanged (pipeline spec, paths), and later changes to the object do not leak in', async () => {
      const queue = await open();
      const original: NewTask = {
        pipeline: {
          steps: [
            { name: 'resize', params: { width: 640, height: 480, fit: 'cover' } },
            { name: 'blur', params: { sigma: 1.5 } },
            { name: 'grayscale' },
          ],
          output: { format: 'webp', quality: 80 },
        },
        input: 'photos/día de campo/gato #1.jpg',
        output: 'out/2024-01/gato #1 (copia).webp',
      };
      const snapshot = structuredClone(original);
      const stored = await queue.enqueue(original);
      original.pipeline.steps.push({ name: 'invert' });
      original.input = 'changed.png';
      const task = await queue.dequeue({ timeoutMs: 1_000 });
      expect(task).not.toBeNull();
      expect(task!.id).toBe(stored.id);
      expect(task!.createdAt).toBe(stored.createdAt);
      expect(task!.pipeline).toEqual(snapshot.pipeline);
      expect(task!.input).toBe(snapshot.input);
      expect(task!.output).toBe(snapshot.output);
    });

    it('dequeue on an empty queue waits about timeoutMs, then returns null', async () => {
      const queue = await open();
      const timeoutMs = 300;
      const started = performance.now();
      const task = await queue.dequeue({ timeoutMs });
      const waited = performance.now() - started;
      expect(task).toBeNull();
      // From below only (timers and Redis may fire a little late, never much early).
      expect(waited).toBeGreaterThanOrEqual(timeoutMs * 0.8);
    });

    it('timeout 0 (and no options) returns null at once on an empty queue', async () => {
      const queue = await open();
      expect(await within(queue.dequeue({ timeoutMs: 0 }), STILL_BLOCKED_AFTER_MS)).toBeNull();
      expect(await within(queue.dequeue(), STILL_BLOCKED_AFTER_MS)).toBeNull();
    });

    it('a blocked dequeue is woken by enqueue and gets that task', async () => {
      const queue = await open();
      const waiting = queue.dequeue({ timeoutMs: 20_000 });
      await delay(150); // let the consumer block first
      const stored = await queue.enqueue(newTask(1));
      const task = await within(waiting, STILL_BLOCKED_AFTER_MS);
      expect(task).not.toBe('still blocked');
      expect((task as Task | null)?.id).toBe(stored.id);
    });

    it('close wakes every blocked consumer with null', async () => {
      const queue = await open();
      const waiting = [1, 2, 3].map(() => queue.dequeue({ timeoutMs: 20_000 }));
      await delay(150);
      await queue.close();
      const woken = await within(Promise.all(waiting), STILL_BLOCKED_AFTER_MS);
      expect(woken).toEqual([null, null, null]);
    });

    it('enqueue and dequeue after close reject with ERR_QUEUE_CLOSED', async () => {
      const queue = await open();
      await queue.close();
      await expect(queue.enqueue(newTask(1))).rejects.toMatchObject({ code: 'ERR_QUEUE_CLOSED' });
      await expect(queue.dequeue({ timeoutMs: 100 })).rejects.toMatchObject({
        code: 'ERR_QUEUE_CLOSED',
      });
    });

    it('ack stores the result and counts the task completed', async () => {
      const queue = await open();
      await queue.enqueue(newTask(1));
      const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
      const result = completedResult(
        task,
        { path: '/abs/out/photo-1.png', format: 'png', width: 32, height: 32, bytes: 1234 },
        meta,
      );
      await queue.ack(task, result);
      expect(await queue.result(task.id)).toEqual(result);
      expect(await queue.stats()).toEqual({ pending: 0, processing: 0, completed: 1, failed: 0 });
    });

    it.runIf(finalCode !== undefined)(
      `fail with ${finalCode} stores the failed result with its error code and counts the task failed`,
      async () => {
        const queue = await open();
        await queue.enqueue(newTask(1));
        const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
        const error = Object.assign(new Error('Input file `in/photo-1.png` does not exist'), {
          code: finalCode,
        });
        const result = failedResult(task, error, meta);
        await queue.fail(task, result);
        const stored = await queue.result(task.id);
        expect(stored?.status).toBe('failed');
        expect(stored?.error?.code).toBe(finalCode);
        expect(stored?.error?.message).toBe(error.message);
        expect(await queue.stats()).toEqual({ pending: 0, processing: 0, completed: 0, failed: 1 });
      },
    );

    if (!capabilities.failIsFinal) retryCases(open, capabilities.maxAttempts);

    it('result(id) is null for an unknown task and for one not finished yet', async () => {
      const queue = await open();
      expect(await queue.result('no-such-task')).toBeNull();
      const stored = await queue.enqueue(newTask(1));
      expect(await queue.result(stored.id)).toBeNull();
    });

    it('size and stats stay consistent through enqueue, dequeue, ack and fail', async () => {
      const queue = await open();
      for (let n = 0; n < 3; n++) await queue.enqueue(newTask(n));
      expect(await queue.size()).toBe(3);
      expect(await queue.stats()).toEqual({ pending: 3, processing: 0, completed: 0, failed: 0 });
      const a = (await queue.dequeue({ timeoutMs: 1_000 }))!;
      const b = (await queue.dequeue({ timeoutMs: 1_000 }))!;
      expect(await queue.size()).toBe(1);
      expect(await queue.stats()).toEqual({ pending: 1, processing: 2, completed: 0, failed: 0 });
      await queue.ack(a, doneResult(a));
      await queue.fail(b, failedResult(b, new Error('boom'), meta));
      if (capabilities.failIsFinal) {
        expect(await queue.size()).toBe(1);
        expect(await queue.stats()).toEqual({ pending: 1, processing: 0, completed: 1, failed: 1 });
      } else {
        // `b` waits for its retry: not failed, not processing; pending again at once or later.
        const stats = await queue.stats();
        expect(stats).toMatchObject({ processing: 0, completed: 1, failed: 0 });
        expect(stats.pending).toBeGreaterThanOrEqual(1);
        expect(stats.pending).toBeLessThanOrEqual(2);
      }
    });

    it('ack or fail of a task the queue is not processing rejects with ERR_TASK_NOT_PROCESSING', async () => {
      const queue = await open();
      const stored = await queue.enqueue(newTask(1));
      const ghost: Task = { ...stored, id: 'never-enqueued' };
      const result = failedResult(ghost, new Error('x'), meta);
      await expect(queue.ack(ghost, result)).rejects.toMatchObject({
        code: 'ERR_TASK_NOT_PROCESSING',
      });
      await expect(queue.fail(ghost, result)).rejects.toMatchObject({
        code: 'ERR_TASK_NOT_PROCESSING',
      });
      // Pending but not delivered yet: not processing either.
      const pendingResult = failedResult(stored, new Error('x'), meta);
      await expect(queue.ack(stored, pendingResult)).rejects.toMatchObject({
        code: 'ERR_TASK_NOT_PROCESSING',
      });
      // Delivered and acked once: a second ack is refused.
      const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
      const done = doneResult(task);
      await queue.ack(task, done);
      await expect(queue.ack(task, done)).rejects.toMatchObject({
        code: 'ERR_TASK_NOT_PROCESSING',
      });
      expect((await queue.stats()).completed).toBe(1);
    });

    it('50 concurrent consumers and 1000 tasks: every task delivered exactly once', async () => {
      const queue = await open();
      const total = 1000;
      const consumers = 50;
      let producerDone = false;
      const delivered: string[] = [];
      const perConsumer = new Array<number>(consumers).fill(0);

      const consume = async (index: number) => {
        for (;;) {
          const task = await queue.dequeue({ timeoutMs: 200 });
          if (!task) {
            if (producerDone) return;
            continue;
          }
          delivered.push(task.id);
          perConsumer[index]!++;
          await queue.ack(task, doneResult(task));
        }
      };
      // Consumers first, so most tasks are handed to blocked consumers rather than sitting
      // in the queue: the race this case is about.
      const running = Array.from({ length: consumers }, (_, index) => consume(index));
      const enqueued = new Set<string>();
      for (let n = 0; n < total; n++) enqueued.add((await queue.enqueue(newTask(n))).id);
      producerDone = true;
      await Promise.all(running);

      const unique = new Set(delivered);
      expect(delivered.length, 'no task may be delivered twice').toBe(unique.size);
      const missing = [...enqueued].filter((id) => !unique.has(id));
      expect(missing, 'no task may be lost').toEqual([]);
      expect(unique.size).toBe(total);
      expect(perConsumer.filter((count) => count > 0).length).toBeGreaterThan(1);
      expect(await queue.stats()).toEqual({
        pending: 0,
        processing: 0,
        completed: total,
        failed: 0,
      });
    });
  });
}

/** The cases of a backend whose `fail()` retries (`failIsFinal: false`). */
function retryCases(open: () => Promise<TaskQueue>, maxAttempts: number): void {
  // No code of its own: serialised as ERR_UNEXPECTED, which a retrying backend retries.
  const flaky = () => new Error('the disk was busy');

  it('fail with a retryable error delivers the task again (attempts + 1); meanwhile no result and not counted failed', async () => {
    const queue = await open();
    const stored = await queue.enqueue(newTask(1));
    const first = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    await queue.fail(first, failedResult(first, flaky(), meta));
    expect(await queue.result(stored.id), 'a task that will be retried has no result').toBeNull();
    expect(await queue.stats()).toMatchObject({ processing: 0, completed: 0, failed: 0 });

    const again = await queue.dequeue({ timeoutMs: RETRY_WITHIN_MS });
    expect(again?.id, 'the same task comes back').toBe(stored.id);
    expect(again?.attempts).toBe(2);
    expect(again?.input).toBe(stored.input);
    await queue.ack(again!, doneResult(again!));
    expect((await queue.result(stored.id))?.status).toBe('completed');
    expect(await queue.stats()).toEqual({ pending: 0, processing: 0, completed: 1, failed: 0 });
  });

  it(`the failure of the last of ${maxAttempts} deliveries is final: result stored, counted failed, never delivered again`, async () => {
    const queue = await open();
    const stored = await queue.enqueue(newTask(1));
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const task = await queue.dequeue({ timeoutMs: RETRY_WITHIN_MS });
      expect(task?.id, `delivery ${attempt} of ${maxAttempts}`).toBe(stored.id);
      expect(task?.attempts).toBe(attempt);
      await queue.fail(task!, failedResult(task!, flaky(), meta));
    }
    const final = await queue.result(stored.id);
    expect(final?.status).toBe('failed');
    expect(final?.error?.message).toBe('the disk was busy');
    expect(await queue.stats()).toEqual({ pending: 0, processing: 0, completed: 0, failed: 1 });
    expect(
      await queue.dequeue({ timeoutMs: 300 }),
      'a failed task is not delivered again',
    ).toBeNull();
  });
}
