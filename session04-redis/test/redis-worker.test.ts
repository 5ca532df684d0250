import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readImageInfo } from '@workbook/session01';
import type { TaskEvent } from '@workbook/session03';
import {
  makeImage,
  type RedisServerHandle,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisWorker, RedisTaskQueue } from '../src/index.ts';

let redis: RedisServerHandle;
let dir: string;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await testRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'redis-worker-'));
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function open(name = uniqueName('worker')): RedisTaskQueue {
  const queue = new RedisTaskQueue({ url: redis.url, name });
  cleanup.push(() => queue.close());
  return queue;
}

describe('createRedisWorker', () => {
  it('runs image tasks from Redis with the image processor by default', async () => {
    const queue = open();
    const input = path.join(dir, 'in.png');
    writeFileSync(input, await makeImage({ width: 40, height: 30 }));
    const tasks = await queue.enqueueMany(
      [20, 10].map((width) => ({
        pipeline: {
          steps: [{ name: 'resize', params: { width } }],
          output: { format: 'webp' as const },
        },
        input,
        output: path.join(dir, `out-${width}.webp`),
      })),
    );
    const worker = createRedisWorker({ queue, concurrency: 2, dequeueTimeoutMs: 200 });
    cleanup.push(() => worker.stop());
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed === 2, { timeoutMs: 15_000 });

    for (const task of tasks) {
      const result = await queue.result(task.id);
      expect(result).toMatchObject({ status: 'completed', workerId: worker.id, attempt: 1 });
      const info = await readImageInfo(task.output);
      expect(info.format).toBe('webp');
      expect(info.width).toBe(task.pipeline.steps[0]!.params!.width);
    }
  });

  it('stores a failing task as failed with its error code, and goes on', async () => {
    const queue = open();
    const bad = await queue.enqueue({
      pipeline: { steps: [{ name: 'grayscale' }] },
      input: path.join(dir, 'missing.png'),
      output: path.join(dir, 'never.png'),
    });
    const failed: TaskEvent[] = [];
    const worker = createRedisWorker({ queue, dequeueTimeoutMs: 200 });
    worker.on('failed', (event) => failed.push(event));
    cleanup.push(() => worker.stop());
    await worker.start();
    await waitFor(() => failed.length === 1, { timeoutMs: 15_000 });
    expect((await queue.result(bad.id))?.error?.code).toBe('ERR_FILE_NOT_FOUND');
    expect(await queue.stats()).toMatchObject({ failed: 1, processing: 0 });
  });

  it('a worker that gives up on a running task leaves it in processing for recovery', async () => {
    const queue = open();
    const stored = await queue.enqueue({
      pipeline: { steps: [] },
      input: 'in.png',
      output: 'out.png',
    });
    let started = false;
    const worker = createRedisWorker({
      queue,
      gracePeriodMs: 50,
      dequeueTimeoutMs: 200,
      // A processor that never finishes: the worker is stopped while it runs.
      processor: () => {
        started = true;
        return new Promise(() => {});
      },
    });
    await worker.start();
    await waitFor(() => started, { timeoutMs: 5_000 });
    const report = await worker.stop();
    expect(report.abandoned.map((a) => a.task.id)).toEqual([stored.id]);
    expect(await queue.stats()).toMatchObject({ pending: 0, processing: 1 });
    expect((await queue.task(stored.id))?.state).toBe('processing');
  });
});
