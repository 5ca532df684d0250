import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { waitFor } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryTaskQueue } from '../src/in-memory-task-queue.ts';
import { createTask, type NewTask, type Task } from '../src/task.ts';
import { ThreadPool } from '../src/thread-pool.ts';
import { ThreadPoolWorker } from '../src/thread-pool-worker.ts';
import { decodeFully, imageTask, tempDirs, writeCorruptImage, writeImages } from './helpers.ts';

// Starting a thread costs about a second (tsx and sharp load in each), so the pool tests share
// one pool; the crash cases leave it whole again, which is what they check.
const MODULE = new URL('./fixtures/thread-modules.ts', import.meta.url);

const task = (input: string): Task =>
  createTask({ pipeline: { steps: [] }, input, output: `${input}.out` });

const threadOf = (output: { path: string }) => output.path.split(':')[0];

describe('ThreadPool', () => {
  const threads = new ThreadPool({ size: 2, module: MODULE, exportName: 'fixtureTask' });
  beforeAll(() => threads.start());
  afterAll(() => threads.close());

  const allReady = () =>
    waitFor(() => threads.threads().filter((t) => t.ready).length === 2, {
      timeoutMs: 20_000,
      message: 'the pool did not get back to 2 ready threads',
    });

  it('runs tasks in its threads, spread over all of them, never in the main thread', async () => {
    const outputs = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => threads.run(task(`t${n}`))));
    const used = new Set(outputs.map(threadOf));
    expect(used.size).toBe(2);
    expect(used.has(`thread-${threadId}`)).toBe(false);
    expect(outputs.map((output) => output.path.split(':')[1])).toEqual([
      't1',
      't2',
      't3',
      't4',
      't5',
      't6',
    ]);
  });

  it('keeps the error code and message of an error thrown in a thread', async () => {
    await expect(threads.run(task('throw:x.png'))).rejects.toMatchObject({
      code: 'ERR_TEST_CODED',
      message: 'cannot process throw:x.png',
    });
  });

  it('replaces a thread that exits and fails its task with ERR_WORKER_THREAD_CRASHED', async () => {
    const before = threads.threadsStarted;
    await expect(threads.run(task('crash:exit'))).rejects.toMatchObject({
      code: 'ERR_WORKER_THREAD_CRASHED',
      message: expect.stringContaining('exit code 3'),
    });
    await allReady();
    expect(threads.threadsStarted).toBe(before + 1);
    expect(threads.crashes).toBe(1);
    // The pool is whole again: both threads take work.
    const outputs = await Promise.all([1, 2, 3, 4].map((n) => threads.run(task(`ok${n}`))));
    expect(new Set(outputs.map(threadOf)).size).toBe(2);
  });

  it('replaces a thread killed by an uncaught exception, naming the error', async () => {
    await expect(threads.run(task('crash:throw'))).rejects.toMatchObject({
      code: 'ERR_WORKER_THREAD_CRASHED',
      message: expect.stringContaining('boom outside the task promise'),
    });
    await allReady();
    expect(threads.crashes).toBe(2);
    await expect(threads.run(task('after'))).resolves.toMatchObject({
      path: expect.stringContaining(':after'),
    });
  });

  it('rejects tasks still running or queued when closed with ERR_POOL_CLOSED', async () => {
    const settled = Promise.allSettled(['a', 'b', 'c'].map((input) => threads.run(task(input))));
    await threads.close();
    for (const outcome of await settled) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'ERR_POOL_CLOSED' } });
    }
    await expect(threads.run(task('late'))).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
    expect(threads.threads()).toHaveLength(0);
  });
});

describe('ThreadPool setup', () => {
  it('fails start() with ERR_WORKER_THREAD_CRASHED when the module lacks the function', async () => {
    const broken = new ThreadPool({ size: 1, module: MODULE, exportName: 'noSuchFunction' });
    await expect(broken.start()).rejects.toMatchObject({
      code: 'ERR_WORKER_THREAD_CRASHED',
      message: expect.stringContaining('noSuchFunction'),
    });
    await expect(broken.run(task('x'))).rejects.toMatchObject({ code: 'ERR_POOL_CLOSED' });
  });

  it('rejects a bad size or sharpConcurrency with ERR_INVALID_OPTION', () => {
    for (const options of [{ size: 0 }, { size: 1.5 }, { sharpConcurrency: -1 }]) {
      expect(() => new ThreadPool(options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });
});

describe('ThreadPoolWorker', () => {
  it('runs real sharp pipelines in threads and keeps error codes across the boundary', async () => {
    const { inDir, outDir } = tempDirs();
    const names = await writeImages(inDir, 4, 128);
    const corrupt = writeCorruptImage(inDir);
    const queue = new InMemoryTaskQueue();
    const worker = new ThreadPoolWorker({
      queue,
      threads: 2,
      inputRoot: inDir,
      outputRoot: outDir,
      sharpConcurrency: 1,
    });
    const good = names.map((name) => imageTask(name, name.replace('.png', '.webp')));
    const bad: NewTask[] = [
      imageTask('missing.png', 'missing.webp'),
      imageTask(corrupt, 'corrupt.webp'),
      imageTask(names[0]!, 'spec.webp', { steps: [{ name: 'resize', params: { width: -3 } }] }),
    ];
    const stored: Task[] = [];
    for (const t of [...good, ...bad]) stored.push(await queue.enqueue(t));
    try {
      await worker.start();
      expect(worker.concurrency).toBe(2);
      await waitFor(
        async () => {
          const stats = await queue.stats();
          return stats.completed + stats.failed === stored.length;
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      await worker.stop();
    }

    for (const t of stored.slice(0, good.length)) {
      expect((await queue.result(t.id))?.status).toBe('completed');
      expect(await decodeFully(path.join(outDir, t.output))).toEqual({ width: 48, height: 48 });
    }
    const errors = [];
    for (const t of stored.slice(good.length)) errors.push((await queue.result(t.id))?.error);
    expect(errors.map((e) => e?.code)).toEqual([
      'ERR_FILE_NOT_FOUND',
      'ERR_IMAGE_CORRUPT',
      'ERR_INVALID_OPTION',
    ]);
    expect(errors[0]?.message).toContain('missing.png');
    // The stack travelled too: it shows where the error was thrown, inside the thread.
    expect(errors[0]?.stack).toMatch(/session0[12]-/);
    expect(worker.pool.crashes).toBe(0);
  });

  it('fails a task that crashes its thread with ERR_WORKER_THREAD_CRASHED and goes on', async () => {
    const queue = new InMemoryTaskQueue();
    const worker = new ThreadPoolWorker({
      queue,
      threads: 1,
      module: MODULE,
      exportName: 'fixtureTask',
    });
    const inputs = ['a', 'crash:exit', 'b', 'c'];
    const stored: Task[] = [];
    for (const input of inputs) {
      stored.push(await queue.enqueue({ pipeline: { steps: [] }, input, output: `${input}.out` }));
    }
    try {
      await worker.start();
      await waitFor(
        async () => {
          const stats = await queue.stats();
          return stats.completed + stats.failed === inputs.length;
        },
        { timeoutMs: 20_000 },
      );
    } finally {
      const report = await worker.stop();
      expect(report.drained).toBe(true);
    }
    const outcomes = [];
    for (const t of stored) {
      const result = await queue.result(t.id);
      outcomes.push(result?.error?.code ?? result?.status);
    }
    expect(outcomes).toEqual(['completed', 'ERR_WORKER_THREAD_CRASHED', 'completed', 'completed']);
    expect(worker.stats().lastError?.code).toBe('ERR_WORKER_THREAD_CRASHED');
    expect(worker.pool.crashes).toBe(1);
    expect(worker.pool.threads(), 'stop() ends the threads').toHaveLength(0);
  });
});
