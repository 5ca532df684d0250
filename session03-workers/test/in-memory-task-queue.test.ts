import { describe, expect, it } from 'vitest';
import { InMemoryTaskQueue } from '../src/in-memory-task-queue.ts';
import type { NewTask } from '../src/task.ts';
import { taskQueueContract } from '../src/testing/index.ts';

taskQueueContract('in-memory', async () => new InMemoryTaskQueue());

const newTask = (n: number): NewTask => ({
  pipeline: { steps: [{ name: 'grayscale' }] },
  input: `in/${n}.png`,
  output: `out/${n}.png`,
});

describe('InMemoryTaskQueue', () => {
  it('serves blocked consumers first come, first served', async () => {
    const queue = new InMemoryTaskQueue();
    const first = queue.dequeue({ timeoutMs: 5_000 });
    const second = queue.dequeue({ timeoutMs: 5_000 });
    expect(queue.waitingConsumers).toBe(2);
    const a = await queue.enqueue(newTask(1));
    const b = await queue.enqueue(newTask(2));
    expect((await first)?.id).toBe(a.id);
    expect((await second)?.id).toBe(b.id);
    expect(queue.waitingConsumers).toBe(0);
  });

  it('a consumer that timed out leaves the waiter list, so the next task is not lost', async () => {
    const queue = new InMemoryTaskQueue();
    expect(await queue.dequeue({ timeoutMs: 100 })).toBeNull();
    expect(queue.waitingConsumers).toBe(0);
    const stored = await queue.enqueue(newTask(1));
    expect(await queue.size()).toBe(1);
    expect((await queue.dequeue())?.id).toBe(stored.id);
  });

  it('an aborted signal ends the wait with null and the consumer gets no later task', async () => {
    const queue = new InMemoryTaskQueue();
    const controller = new AbortController();
    const waiting = queue.dequeue({ timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    expect(await waiting).toBeNull();
    expect(queue.waitingConsumers).toBe(0);
    await queue.enqueue(newTask(1));
    expect(await queue.size()).toBe(1);
    // Already aborted: returns at once without waiting.
    const empty = new InMemoryTaskQueue();
    expect(await empty.dequeue({ timeoutMs: 10_000, signal: controller.signal })).toBeNull();
  });

  it('rejects a bad timeout with ERR_INVALID_OPTION', async () => {
    const queue = new InMemoryTaskQueue();
    await expect(queue.dequeue({ timeoutMs: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
    });
    await expect(queue.dequeue({ timeoutMs: Number.NaN })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
    });
    await expect(queue.dequeue({ timeoutMs: 1.5 })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      message:
        'Expected `timeoutMs` to be a whole number of milliseconds >= 0 or Infinity, got `1.5` (number)',
    });
  });

  it('timeoutMs: Infinity waits until a task comes (no timer that fires at once)', async () => {
    const queue = new InMemoryTaskQueue();
    const waiting = queue.dequeue({ timeoutMs: Number.POSITIVE_INFINITY });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queue.waitingConsumers, 'the consumer must still be waiting').toBe(1);
    const stored = await queue.enqueue(newTask(1));
    expect((await waiting)?.id).toBe(stored.id);
  });

  it('rejects malformed tasks with ERR_INVALID_OPTION naming the field', async () => {
    const queue = new InMemoryTaskQueue();
    await expect(queue.enqueue({ ...newTask(1), input: '' })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      message: expect.stringContaining('`input`'),
    });
    const noSteps = { ...newTask(1), pipeline: {} } as unknown as NewTask;
    await expect(queue.enqueue(noSteps)).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      message: expect.stringContaining('`pipeline`'),
    });
  });

  it('a consumer changing its copy of a task does not change the stored task', async () => {
    const queue = new InMemoryTaskQueue();
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue())!;
    task.id = 'tampered';
    await expect(
      queue.ack(task, {
        taskId: 'tampered',
        status: 'completed',
        durationMs: 1,
        workerId: 'w',
        attempt: 1,
        finishedAt: Date.now(),
      }),
    ).rejects.toMatchObject({ code: 'ERR_TASK_NOT_PROCESSING' });
    expect((await queue.stats()).processing).toBe(1);
  });

  it('rejects a result whose taskId does not match the task', async () => {
    const queue = new InMemoryTaskQueue();
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue())!;
    await expect(
      queue.ack(task, {
        taskId: 'other',
        status: 'completed',
        durationMs: 1,
        workerId: 'w',
        attempt: 1,
        finishedAt: Date.now(),
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
  });
});
