/**
 * Redis in a container keeps the queue on a named volume (AOF): the container can be removed
 * and created again mid-run, the workers reconnect, and the run completes with every task.
 */
import { ReliableTaskQueue } from '@workbook/session05';
import type { Stack } from '@workbook/session06';
import { afterAll, describe, expect, it } from 'vitest';
import {
  accounting,
  cleanup,
  courseImages,
  docker,
  enqueue,
  photoFiles,
  QUICK_PIPELINE,
  testStack,
  waitFinished,
} from './support.ts';

let stack: Stack;

afterAll(async () => {
  await stack?.down();
  await cleanup();
}, 60_000);

describe('Redis with its AOF volume', () => {
  it('is removed and recreated mid-run: the queue is intact and the run completes', async () => {
    await courseImages();
    stack = testStack('aof', { workerEnv: { CONCURRENCY: '2' } });
    await stack.up({ workers: 2 });
    const inputs = await stack.putInputs(
      photoFiles(['coins.png', 'camera.png', 'grass.png', 'brick.png']),
    );
    const many = Array.from({ length: 10 }, () => inputs).flat();
    let queue = new ReliableTaskQueue({ url: await stack.redisUrl(), name: stack.queue });
    const ids = await enqueue(queue, many, QUICK_PIPELINE, 'aof-');
    const before = await queue.counts();
    await queue.close();

    // Not a restart of the same container: a NEW container, so only the volume carries the data.
    const redis = docker.getContainer(`${stack.name}-redis`);
    await redis.stop({ t: 10 });
    await redis.remove({ v: false });
    await stack.startRedis();

    queue = new ReliableTaskQueue({ url: await stack.redisUrl(), name: stack.queue });
    try {
      const after = await queue.counts();
      expect(after.enqueued, '🚨 every enqueued task must survive in the AOF').toBe(ids.length);
      expect(
        after.completed + after.dlq + after.pending + after.processing + after.delayed,
        '🚨 no task may vanish with the old container',
      ).toBe(ids.length);
      expect(
        after.completed,
        '🚨 results acked before the restart are kept',
      ).toBeGreaterThanOrEqual(before.completed);
      await waitFinished(queue, ids.length, 120_000);
      const { done, lost } = await accounting(queue, ids);
      expect(lost, '🚨 every task must end done after the restart').toEqual([]);
      expect(done.length).toBe(ids.length);
      const running = (await stack.workers()).filter((w) => w.state === 'running');
      expect(running.length, '🚨 the workers must reconnect, not die with Redis').toBe(2);
    } finally {
      await queue.close();
    }
  }, 240_000);
});
