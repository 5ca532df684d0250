import { InMemoryTaskQueue, type TaskProcessor } from '@workbook/session03';
import { waitFor } from '@workbook/tools/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { LimitedWorker } from '#ex/02-async-worker-limit/limited-worker.ts';
import { fakeOutput, instrumentedProcessor, work } from '../helpers.ts';

const workers: LimitedWorker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
});

async function runTasks(
  processor: TaskProcessor,
  concurrency: number,
  count: number,
): Promise<{ queue: InMemoryTaskQueue; worker: LimitedWorker }> {
  const queue = new InMemoryTaskQueue();
  for (let n = 0; n < count; n++) {
    await queue.enqueue({ pipeline: { steps: [] }, input: `in-${n}`, output: `out-${n}` });
  }
  const worker = new LimitedWorker({ queue, processor, concurrency, dequeueTimeoutMs: 200 });
  workers.push(worker);
  await worker.start();
  // Wait until every task is done, or the loop crashed (a TODO left in it).
  await waitFor(
    async () => {
      const stats = await queue.stats();
      return stats.completed === count || !worker.health().healthy;
    },
    { timeoutMs: 10_000, message: `🚨 the worker did not finish ${count} tasks` },
  );
  const health = worker.health();
  expect(health.healthy, `🚨 the worker is unhealthy: ${health.reason}`).toBe(true);
  return { queue, worker };
}

describe('03.2 AsyncWorker concurrency limit', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    const probe = instrumentedProcessor(30);
    const { queue } = await runTasks(probe.processor, 3, 12);
    expect(probe.max, '🚨 more tasks ran at once than `concurrency` allows').toBeLessThanOrEqual(3);
    expect((await queue.stats()).completed).toBe(12);
  });

  it('runs exactly `concurrency` tasks at once when there is enough work', async () => {
    const probe = instrumentedProcessor(30);
    await runTasks(probe.processor, 3, 12);
    expect(
      probe.max,
      '🚨 with 12 tasks waiting, 3 must run together: start a task without awaiting it',
    ).toBe(3);
  });

  it('with concurrency 1, runs tasks one at a time in queue order', async () => {
    const probe = instrumentedProcessor(10);
    await runTasks(probe.processor, 1, 4);
    expect(probe.max).toBe(1);
    expect(probe.order).toEqual(['in-0', 'in-1', 'in-2', 'in-3']);
  });

  it('refills a slot as soon as a task finishes, not when a whole batch has finished', async () => {
    let releaseSlow = () => {};
    const processor: TaskProcessor = async (task) => {
      if (task.input === 'in-0') await new Promise<void>((resolve) => (releaseSlow = resolve));
      else await work(10);
      return fakeOutput(task.output);
    };
    const queue = new InMemoryTaskQueue();
    for (let n = 0; n < 6; n++) {
      await queue.enqueue({ pipeline: { steps: [] }, input: `in-${n}`, output: `out-${n}` });
    }
    const worker = new LimitedWorker({ queue, processor, concurrency: 2, dequeueTimeoutMs: 200 });
    workers.push(worker);
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed === 5 || !worker.health().healthy, {
      timeoutMs: 5_000,
      message: '🚨 while one slot is held by a slow task, the other slot must keep working',
    });
    expect(worker.health().healthy, `🚨 the worker is unhealthy: ${worker.health().reason}`).toBe(
      true,
    );
    releaseSlow();
    await waitFor(async () => (await queue.stats()).completed === 6);
  });

  it('stops cleanly: nothing left half-done, nothing lost', async () => {
    const probe = instrumentedProcessor(20);
    const queue = new InMemoryTaskQueue();
    for (let n = 0; n < 20; n++) {
      await queue.enqueue({ pipeline: { steps: [] }, input: `in-${n}`, output: `out-${n}` });
    }
    const worker = new LimitedWorker({ queue, processor: probe.processor, concurrency: 3 });
    workers.push(worker);
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed >= 3 || !worker.health().healthy);
    expect(worker.health().healthy, `🚨 the worker is unhealthy: ${worker.health().reason}`).toBe(
      true,
    );
    const report = await worker.stop();
    const stats = await queue.stats();
    expect(report.drained).toBe(true);
    expect(stats.processing, '🚨 a task was left in flight after stop').toBe(0);
    expect(stats.completed + stats.pending, '🚨 a task was lost').toBe(20);
    expect(probe.max).toBeLessThanOrEqual(3);
  });
});
