import { existsSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@workbook/tools/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncWorker } from '../src/async-worker.ts';
import type { BaseWorker } from '../src/base-worker.ts';
import { createImageProcessor } from '../src/image-processor.ts';
import { InMemoryTaskQueue } from '../src/in-memory-task-queue.ts';
import { SimpleWorker } from '../src/simple-worker.ts';
import type { NewTask, Task } from '../src/task.ts';
import type { TaskQueue } from '../src/task-queue.ts';
import type { TaskEvent, TaskProcessor } from '../src/worker-types.ts';
import {
  decodeFully,
  fakeOutput,
  imageTask,
  instrumentedProcessor,
  tempDirs,
  work,
  writeCorruptImage,
  writeImages,
} from './helpers.ts';

const workers: BaseWorker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
});

/** Registers a worker so the test's afterEach stops it even when an assertion fails. */
function track<W extends BaseWorker>(worker: W): W {
  workers.push(worker);
  return worker;
}

const plainTask = (n: number): NewTask => ({
  pipeline: { steps: [] },
  input: `in-${n}`,
  output: `out-${n}`,
});

async function enqueueAll(queue: TaskQueue, tasks: NewTask[]): Promise<Task[]> {
  const stored: Task[] = [];
  for (const task of tasks) stored.push(await queue.enqueue(task));
  return stored;
}

const finished = (queue: TaskQueue, count: number) =>
  waitFor(
    async () => {
      const stats = await queue.stats();
      return stats.completed + stats.failed === count;
    },
    { timeoutMs: 10_000, message: `${count} tasks were not finished` },
  );

describe('SimpleWorker', () => {
  it('processes tasks one at a time, in queue order, and acks each', async () => {
    const queue = new InMemoryTaskQueue();
    const probe = instrumentedProcessor(20);
    const worker = track(new SimpleWorker({ queue, processor: probe.processor }));
    const tasks = await enqueueAll(queue, [0, 1, 2, 3, 4].map(plainTask));
    await worker.start();
    await finished(queue, 5);
    expect(probe.max).toBe(1);
    expect(probe.order).toEqual(tasks.map((t) => t.input));
    for (const task of tasks) {
      const result = await queue.result(task.id);
      expect(result).toMatchObject({ status: 'completed', workerId: worker.id, attempt: 1 });
    }
  });

  it('keeps going after bad input: invalid spec, missing file, corrupt image each fail with their code', async () => {
    const { inDir, outDir } = tempDirs();
    const [good] = await writeImages(inDir, 1);
    const corrupt = writeCorruptImage(inDir);
    const queue = new InMemoryTaskQueue();
    const processor = createImageProcessor({ inputRoot: inDir, outputRoot: outDir });
    const worker = track(new SimpleWorker({ queue, processor }));
    const badSpec = {
      pipeline: { steps: [{ name: 'blur', sigma: 2 }] },
      input: good!,
      output: 'bad-spec.webp',
    } as unknown as NewTask;
    const tasks = await enqueueAll(queue, [
      badSpec,
      imageTask(good!, 'unknown.webp', { steps: [{ name: 'blurr' }] }),
      imageTask('missing.png', 'missing.webp'),
      imageTask(corrupt, 'corrupt.webp'),
      imageTask('../escape.png', 'escape.webp'),
      imageTask(good!, 'good.webp'),
    ]);
    await worker.start();
    await finished(queue, tasks.length);

    const codes = [];
    for (const task of tasks) codes.push((await queue.result(task.id))?.error?.code ?? 'ok');
    expect(codes).toEqual([
      'ERR_INVALID_SPEC',
      'ERR_UNKNOWN_FILTER',
      'ERR_FILE_NOT_FOUND',
      'ERR_IMAGE_CORRUPT',
      'ERR_PATH_OUTSIDE_ROOT',
      'ok',
    ]);
    expect(await decodeFully(path.join(outDir, 'good.webp'))).toEqual({ width: 48, height: 48 });
    for (const name of ['bad-spec.webp', 'missing.webp', 'corrupt.webp']) {
      expect(existsSync(path.join(outDir, name)), `${name} must not be written`).toBe(false);
    }
    expect(worker.stats()).toMatchObject({ processed: 6, completed: 1, failed: 5 });
    expect(worker.health().healthy).toBe(true);
  });
});

describe('AsyncWorker', () => {
  it('never runs more than `concurrency` tasks and runs exactly that many under load', async () => {
    const queue = new InMemoryTaskQueue();
    const probe = instrumentedProcessor(40);
    const worker = track(new AsyncWorker({ queue, processor: probe.processor, concurrency: 3 }));
    await enqueueAll(
      queue,
      Array.from({ length: 12 }, (_, n) => plainTask(n)),
    );
    await worker.start();
    await finished(queue, 12);
    expect(probe.max).toBe(3);
    expect((await queue.stats()).completed).toBe(12);
  });

  it('refills a slot as soon as a task finishes (a slow task does not hold the others back)', async () => {
    const queue = new InMemoryTaskQueue();
    const started: string[] = [];
    let releaseSlow = () => {};
    const processor: TaskProcessor = async (task) => {
      started.push(task.input);
      if (task.input === 'in-0') await new Promise<void>((resolve) => (releaseSlow = resolve));
      else await work(10);
      return fakeOutput(task.output);
    };
    const worker = track(new AsyncWorker({ queue, processor, concurrency: 2 }));
    await enqueueAll(queue, [0, 1, 2, 3, 4].map(plainTask));
    await worker.start();
    // in-0 holds one slot; the other slot must work through in-1 .. in-4 meanwhile.
    await waitFor(async () => (await queue.stats()).completed === 4, { timeoutMs: 5_000 });
    expect(started).toEqual(['in-0', 'in-1', 'in-2', 'in-3', 'in-4']);
    releaseSlow();
    await finished(queue, 5);
  });

  it('waits on the queue when it is empty and picks up tasks enqueued later', async () => {
    const queue = new InMemoryTaskQueue();
    const probe = instrumentedProcessor(5);
    const worker = track(
      new AsyncWorker({ queue, processor: probe.processor, concurrency: 2, dequeueTimeoutMs: 100 }),
    );
    await worker.start();
    await waitFor(() => queue.waitingConsumers === 1, { timeoutMs: 2_000 });
    expect(worker.status).toBe('idle');
    await enqueueAll(queue, [plainTask(1), plainTask(2)]);
    await finished(queue, 2);
  });

  it('rejects a bad concurrency with ERR_INVALID_OPTION', () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => fakeOutput(task.output);
    for (const concurrency of [0, 1.5, -1]) {
      expect(() => new AsyncWorker({ queue, processor, concurrency })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });

  it('takes durations in whole milliseconds, with the one option message', () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => fakeOutput(task.output);
    expect(() => new AsyncWorker({ queue, processor, dequeueTimeoutMs: 0 })).toThrow(
      'Expected `dequeueTimeoutMs` to be a whole number of milliseconds >= 1, got `0` (number)',
    );
    expect(() => new AsyncWorker({ queue, processor, gracePeriodMs: 2.5 })).toThrow(
      'Expected `gracePeriodMs` to be a whole number of milliseconds >= 0, got `2.5` (number)',
    );
    expect(() => new AsyncWorker({ queue, processor, queueErrorBackoffMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(new AsyncWorker({ queue, processor, gracePeriodMs: 0 }).gracePeriodMs).toBe(0);
  });
});

describe('worker lifecycle, events and stats', () => {
  it('emits started, completed, failed, stopping, stopped in order, with the results', async () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => {
      await work(5);
      if (task.input === 'in-1') {
        throw Object.assign(new Error('bad input'), { code: 'ERR_TEST_BAD_INPUT' });
      }
      return fakeOutput(task.output);
    };
    const worker = track(new SimpleWorker({ queue, processor, id: 'w-events' }));
    const events: string[] = [];
    const finishedEvents: TaskEvent[] = [];
    worker.on('started', ({ workerId }) => events.push(`started ${workerId}`));
    worker.on('completed', (event) => {
      events.push(`completed ${event.task.input}`);
      finishedEvents.push(event);
    });
    worker.on('failed', (event) => {
      events.push(`failed ${event.task.input} ${event.result.error?.code}`);
      finishedEvents.push(event);
    });
    worker.on('stopping', () => events.push('stopping'));
    worker.on('stopped', (report) => events.push(`stopped drained=${report.drained}`));
    await enqueueAll(queue, [0, 1, 2].map(plainTask));
    await worker.start();
    await finished(queue, 3);
    await worker.stop();
    expect(events).toEqual([
      'started w-events',
      'completed in-0',
      'failed in-1 ERR_TEST_BAD_INPUT',
      'completed in-2',
      'stopping',
      'stopped drained=true',
    ]);
    // The event's result is the one stored in the queue.
    for (const { task, result } of finishedEvents) {
      expect(await queue.result(task.id)).toEqual(result);
    }
  });

  it('reports status, counters, average and p95 durations and the last error', async () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => {
      await work(task.input === 'in-3' ? 60 : 10);
      if (task.input === 'in-2') {
        throw Object.assign(new Error('cannot decode'), { code: 'ERR_IMAGE_CORRUPT' });
      }
      return fakeOutput(task.output);
    };
    const worker = track(new SimpleWorker({ queue, processor }));
    expect(worker.stats()).toMatchObject({
      status: 'created',
      uptimeMs: 0,
      processed: 0,
      avgDurationMs: null,
      p95DurationMs: null,
      lastError: null,
    });
    await worker.start();
    expect(['idle', 'busy']).toContain(worker.status);
    await enqueueAll(queue, [0, 1, 2, 3].map(plainTask));
    await finished(queue, 4);
    const stats = worker.stats();
    expect(stats).toMatchObject({ processed: 4, completed: 3, failed: 1, inFlight: 0 });
    expect(stats.avgDurationMs).toBeGreaterThanOrEqual(20);
    // p95 of 4 durations (nearest rank) is the largest: the 60 ms task.
    expect(stats.p95DurationMs).toBeGreaterThanOrEqual(55);
    expect(stats.p95DurationMs).toBeGreaterThan(stats.avgDurationMs!);
    expect(stats.lastError).toMatchObject({ code: 'ERR_IMAGE_CORRUPT', message: 'cannot decode' });
    expect(stats.lastError!.at).toBeGreaterThan(0);
    expect(stats.uptimeMs).toBeGreaterThan(0);
    await worker.stop();
    expect(worker.status).toBe('stopped');
    expect(worker.health()).toMatchObject({ healthy: false, reason: 'worker is stopped' });
  });

  it('is busy while a task runs and idle after', async () => {
    const queue = new InMemoryTaskQueue();
    let release = () => {};
    const processor: TaskProcessor = async (task) => {
      await new Promise<void>((resolve) => (release = resolve));
      return fakeOutput(task.output);
    };
    const worker = track(new SimpleWorker({ queue, processor }));
    await worker.start();
    expect(worker.health()).toMatchObject({ status: 'idle', healthy: true, inFlight: 0 });
    await queue.enqueue(plainTask(1));
    await waitFor(() => worker.status === 'busy');
    expect(worker.health().inFlight).toBe(1);
    release();
    await waitFor(() => worker.status === 'idle');
  });

  it('starts once: start() twice or after stop() rejects with ERR_WORKER_STATE', async () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => fakeOutput(task.output);
    const worker = track(new SimpleWorker({ queue, processor }));
    await worker.start();
    await expect(worker.start()).rejects.toMatchObject({ code: 'ERR_WORKER_STATE' });
    await worker.stop();
    await expect(worker.start()).rejects.toMatchObject({ code: 'ERR_WORKER_STATE' });
    // stop() is idempotent.
    await expect(worker.stop()).resolves.toMatchObject({ drained: true });
  });

  it('stops by itself when its queue is closed, finishing the task in flight', async () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => {
      await work(50);
      return fakeOutput(task.output);
    };
    const worker = track(new SimpleWorker({ queue, processor }));
    const stopped = new Promise((resolve) => worker.once('stopped', resolve));
    await worker.start();
    await queue.enqueue(plainTask(1));
    await waitFor(() => worker.status === 'busy');
    await queue.close();
    await stopped;
    expect(worker.status).toBe('stopped');
    // The task finished, but its ack hit the closed queue: recorded, not hidden.
    expect(worker.stats().lastError?.code).toBe('ERR_QUEUE_CLOSED');
  });

  it('reports a queue it cannot reach as unhealthy and recovers when it answers again', async () => {
    const inner = new InMemoryTaskQueue();
    let down = true;
    // Fault injection around a real queue: dequeue fails while `down`.
    const flaky: TaskQueue = Object.assign(Object.create(inner) as TaskQueue, {
      dequeue: (options?: Parameters<TaskQueue['dequeue']>[0]) =>
        down
          ? Promise.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }))
          : inner.dequeue(options),
      ack: inner.ack.bind(inner),
      fail: inner.fail.bind(inner),
    });
    const processor: TaskProcessor = async (task) => fakeOutput(task.output);
    const worker = track(new SimpleWorker({ queue: flaky, processor, queueErrorBackoffMs: 20 }));
    await worker.start();
    await waitFor(() => worker.health().healthy === false);
    expect(worker.health()).toMatchObject({
      healthy: false,
      reason: 'queue error: connection refused',
      lastError: { code: 'ECONNREFUSED' },
    });
    down = false;
    await inner.enqueue(plainTask(1));
    await finished(inner, 1);
    expect(worker.health().healthy).toBe(true);
  });
});

describe('graceful stop', () => {
  it('finishes in-flight image tasks within the grace period: every output complete, every task acked', async () => {
    const { inDir, outDir } = tempDirs();
    const names = await writeImages(inDir, 6, 256);
    const queue = new InMemoryTaskQueue();
    const processor = createImageProcessor({ inputRoot: inDir, outputRoot: outDir });
    const worker = track(
      new AsyncWorker({ queue, processor, concurrency: 3, gracePeriodMs: 20_000 }),
    );
    const tasks = await enqueueAll(
      queue,
      names.map((name) => imageTask(name, name.replace('.png', '.webp'))),
    );
    await worker.start();
    await waitFor(() => worker.stats().inFlight > 0);
    const report = await worker.stop();
    const stats = await queue.stats();

    expect(report).toMatchObject({ drained: true, abandoned: [] });
    expect(stats.processing, 'no task may be left half-done').toBe(0);
    // Stop stops fetching: whatever was not started stays pending, nothing is lost.
    expect(stats.completed + stats.pending).toBe(tasks.length);
    expect(stats.completed).toBeGreaterThan(0);
    for (const task of tasks) {
      const result = await queue.result(task.id);
      if (!result) continue; // still pending
      expect(result.status).toBe('completed');
      expect(await decodeFully(path.join(outDir, task.output))).toEqual({
        width: 48,
        height: 48,
      });
    }
  });

  it('reports a task cut off by the grace period, never acks it, and lets the others finish', async () => {
    const { inDir, outDir } = tempDirs();
    const names = await writeImages(inDir, 3);
    const queue = new InMemoryTaskQueue();
    const imageProcessor = createImageProcessor({ inputRoot: inDir, outputRoot: outDir });
    let releaseSlow = () => {};
    let slowSignal: AbortSignal | undefined;
    let slowOutcome: string | undefined;
    const processor: TaskProcessor = async (task, context) => {
      if (task.input === names[0]) {
        slowSignal = context.signal;
        // Stuck far beyond the grace period (until the test lets it go), then the real work,
        // which sees the aborted signal.
        await new Promise<void>((resolve) => (releaseSlow = resolve));
        return imageProcessor(task, context).catch((error: { code?: string }) => {
          slowOutcome = error.code;
          throw error;
        });
      }
      return imageProcessor(task, context);
    };
    const worker = track(new AsyncWorker({ queue, processor, concurrency: 3, gracePeriodMs: 300 }));
    const tasks = await enqueueAll(
      queue,
      names.map((name) => imageTask(name, name.replace('.png', '.webp'))),
    );
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed === 2, { timeoutMs: 10_000 });
    const report = await worker.stop();

    expect(report.drained).toBe(false);
    expect(report.abandoned.map((a) => a.task.id)).toEqual([tasks[0]!.id]);
    expect(report.abandoned[0]!.runningMs).toBeGreaterThanOrEqual(250);
    expect(slowSignal?.aborted, 'the processor is told the grace period is over').toBe(true);
    expect(worker.status).toBe('stopped');

    releaseSlow();
    await waitFor(() => slowOutcome, { message: 'the abandoned task did not end' });
    expect(slowOutcome, 'processImage saw the aborted signal and stopped').toBe('ERR_ABORTED');
    await work(50); // give a wrong implementation the chance to ack late
    expect(await queue.result(tasks[0]!.id), 'an abandoned task is never acked').toBeNull();
    expect(
      existsSync(path.join(outDir, tasks[0]!.output)),
      'the abandoned task stopped at the aborted signal: no output, not half of one',
    ).toBe(false);
    expect(await queue.stats()).toMatchObject({ processing: 1, completed: 2, failed: 0 });
    expect(worker.stats().processed).toBe(2);
    for (const task of tasks.slice(1)) {
      expect(await decodeFully(path.join(outDir, task.output))).toEqual({ width: 48, height: 48 });
    }
  });

  it('with a queue that ignores the abort signal, a task delivered after stop is not run', async () => {
    const inner = new InMemoryTaskQueue();
    // A backend that cannot cancel a blocking dequeue (it drops the signal).
    const deaf: TaskQueue = Object.assign(Object.create(inner) as TaskQueue, {
      dequeue: (options?: Parameters<TaskQueue['dequeue']>[0]) =>
        inner.dequeue({ timeoutMs: options?.timeoutMs ?? 0 }),
      ack: inner.ack.bind(inner),
      fail: inner.fail.bind(inner),
    });
    const ran: string[] = [];
    const processor: TaskProcessor = async (task) => {
      ran.push(task.input);
      return fakeOutput(task.output);
    };
    const worker = track(
      new SimpleWorker({ queue: deaf, processor, dequeueTimeoutMs: 5_000, gracePeriodMs: 50 }),
    );
    await worker.start();
    await waitFor(() => inner.waitingConsumers === 1);
    const report = await worker.stop();
    expect(report).toMatchObject({ drained: true, abandoned: [] });
    // The stale dequeue is still waiting; it receives this task after the worker stopped.
    await inner.enqueue(plainTask(1));
    await waitFor(async () => (await inner.stats()).processing === 1);
    await work(50);
    expect(ran, 'a stopped worker must not run tasks').toEqual([]);
    expect(worker.status).toBe('stopped');
  });

  it('stops at once when idle, without waiting out a blocking dequeue', async () => {
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task) => fakeOutput(task.output);
    const worker = track(new SimpleWorker({ queue, processor, dequeueTimeoutMs: 60_000 }));
    await worker.start();
    await waitFor(() => queue.waitingConsumers === 1);
    await expect(worker.stop()).resolves.toMatchObject({ drained: true, abandoned: [] });
    expect(queue.waitingConsumers).toBe(0);
    // The aborted dequeue took nothing: a task enqueued now stays pending.
    await queue.enqueue(plainTask(1));
    expect(await queue.size()).toBe(1);
  });
});
