/**
 * ReliableWorker in this process, on a private redis-server: registration and heartbeats,
 * leases kept alive through long tasks, a lost lease aborting its task, retries end to end with
 * the real image processor, and a graceful stop that hands unfinished tasks back.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createImageProcessor, type TaskProcessor } from '@workbook/session03';
import {
  fixture,
  makeImage,
  type RedisServerHandle,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  ReliableTaskQueue,
  type ReliableTaskQueueOptions,
  ReliableWorker,
  type ReliableWorkerOptions,
} from '../src/index.ts';
import { expireLeases } from '../src/testing/index.ts';
import { newTask, output } from './helpers.ts';

let redis: RedisServerHandle;
let direct: Redis;
let root: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await testRedis();
  direct = new Redis(redis.url);
  root = mkdtempSync(path.join(tmpdir(), 'session05-worker-'));
  mkdirSync(path.join(root, 'in'));
  mkdirSync(path.join(root, 'out'));
  writeFileSync(path.join(root, 'in', 'ok.png'), await makeImage({ width: 32, height: 24 }));
  copyFileSync(fixture('hostile/truncated.jpg'), path.join(root, 'in', 'corrupt.jpg'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  direct?.disconnect();
  await redis?.[Symbol.asyncDispose]();
  rmSync(root, { recursive: true, force: true });
});

function setup(
  queueOptions: ReliableTaskQueueOptions,
  workerOptions: Omit<ReliableWorkerOptions, 'queue'>,
) {
  const queue = new ReliableTaskQueue({ url: redis.url, name: uniqueName('w'), ...queueOptions });
  const worker = new ReliableWorker({
    queue,
    heartbeatIntervalMs: 100,
    recoveryIntervalMs: 100,
    ...workerOptions,
  });
  cleanups.push(async () => {
    await worker.stop();
    await queue.close();
  });
  return { queue, worker };
}

it('registers, reports its current tasks in heartbeats, and deregisters on stop', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const processor: TaskProcessor = async () => {
    await gate;
    return output;
  };
  const { queue, worker } = setup(
    { owner: 'reporter', leaseMs: 1_000 },
    { processor, concurrency: 2 },
  );
  const stored = await queue.enqueueMany([1, 2].map(newTask));
  await worker.start();
  const seen = await waitFor(async () => {
    const [me] = await worker.registry.list();
    return me?.current.length === 2 ? me : null;
  });
  expect(seen).toMatchObject({ id: 'reporter', alive: true, status: 'busy', concurrency: 2 });
  expect(seen.current.map((t) => t.input).sort()).toEqual(stored.map((t) => t.input).sort());
  release();
  await waitFor(async () => (await worker.registry.list())[0]?.processed === 2);
  await worker.stop();
  expect(await worker.registry.list()).toEqual([]);
});

it('keeps the lease of a task that runs for several lease periods: no other worker takes it', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const processor: TaskProcessor = async () => {
    await gate;
    return output;
  };
  // A long lease, and no recovery pass of its own: the only thing that moves the deadline is
  // the worker's heartbeat, and the lease periods below pass when the test says, not by luck.
  const { queue, worker } = setup(
    { owner: 'long', leaseMs: 60_000 },
    { processor, recoveryIntervalMs: 0 },
  );
  const task = await queue.enqueue(newTask(1));
  await worker.start();
  await waitFor(async () => (await direct.zscore(queue.keys.leases, task.id)) !== null);
  const other = new ReliableTaskQueue({ url: redis.url, name: queue.name, owner: 'other' });
  cleanups.push(() => other.close());
  // Three lease periods: each time the deadline has passed (set into the past directly), the
  // worker's next heartbeat moves it ahead again, and another worker's recovery never takes it.
  const recovered: string[] = [];
  for (let period = 0; period < 3; period++) {
    const { now } = await expireLeases(direct, queue.keys.leases, [task.id]);
    await waitFor(
      async () => Number(await direct.zscore(queue.keys.leases, task.id)) >= now + 60_000,
      { timeoutMs: 10_000, message: 'the heartbeat did not extend the lease' },
    );
    recovered.push(...(await other.recover()).requeued);
  }
  release();
  const result = await waitFor(() => queue.result(task.id), { timeoutMs: 5_000 });
  expect(recovered).toEqual([]);
  expect(result).toMatchObject({ workerId: 'long', attempt: 1 });
  expect(worker.leasesLost).toBe(0);
});

it('a lease lost while working aborts that task through its signal, and its result is dropped', async () => {
  let aborted: unknown = null;
  const processor: TaskProcessor = async (_task, context) => {
    try {
      await delay(5_000, undefined, { signal: context.signal });
    } catch (error) {
      aborted = context.signal.reason;
      throw error;
    }
    return output;
  };
  const { queue, worker } = setup(
    { owner: 'victim', leaseMs: 1_000 },
    { processor, recoveryIntervalMs: 0 },
  );
  const task = await queue.enqueue(newTask(1));
  await worker.start();
  await waitFor(
    async () => (await direct.hget(queue.keys.task(task.id), 'state')) === 'processing',
  );
  // Someone else takes the task over (as recovery would after a stall): the token changes.
  await direct.hset(queue.keys.task(task.id), 'lease', 'someone-else');
  await waitFor(() => aborted !== null, { timeoutMs: 5_000 });
  expect(aborted).toMatchObject({ code: 'ERR_LEASE_LOST' });
  expect(worker.leasesLost).toBe(1);
  await waitFor(() => worker.stats().inFlight === 0);
  expect(await queue.result(task.id), 'no result from the worker that lost the lease').toBeNull();
});

it('retries a flaky task with backoff until it succeeds, and sends a corrupt image to the DLQ at once', async () => {
  const images = createImageProcessor({
    inputRoot: path.join(root, 'in'),
    outputRoot: path.join(root, 'out'),
  });
  let calls = 0;
  const processor: TaskProcessor = async (task, context) => {
    if (task.input === 'ok.png' && ++calls < 3) {
      throw Object.assign(new Error('the network share hiccuped'), { code: 'ERR_FLAKY_SHARE' });
    }
    return images(task, context);
  };
  const { queue, worker } = setup(
    { maxAttempts: 5, backoff: { baseMs: 50, jitter: 'none' } },
    { processor },
  );
  const retries: number[] = [];
  queue.on('retried', ({ delayMs }) => retries.push(delayMs));
  const pipeline = { steps: [{ name: 'grayscale' }], output: { format: 'png' as const } };
  const [flaky, corrupt] = await queue.enqueueMany([
    { pipeline, input: 'ok.png', output: 'ok-gray.png' },
    { pipeline, input: 'corrupt.jpg', output: 'corrupt-gray.png' },
  ]);
  await worker.start();
  const result = await waitFor(() => queue.result(flaky!.id), { timeoutMs: 10_000 });
  expect(result).toMatchObject({ status: 'completed', attempt: 3 });
  expect(retries, 'backoff 50 ms then 100 ms (no jitter)').toEqual([50, 100]);
  const dead = await waitFor(async () => (await queue.dlqList()).entries[0]);
  expect(dead).toMatchObject({
    task: { id: corrupt!.id },
    reason: 'non-retryable',
    attempts: 1,
    error: { code: 'ERR_IMAGE_CORRUPT' },
  });
});

it('stop() hands tasks still running after the grace period back to the queue', async () => {
  const processor: TaskProcessor = (_task, context) =>
    delay(10_000, output, { signal: context.signal });
  const { queue, worker } = setup(
    { leaseMs: 2_000 },
    { processor, concurrency: 2, gracePeriodMs: 100 },
  );
  await queue.enqueueMany([1, 2, 3].map(newTask));
  await worker.start();
  await waitFor(() => worker.stats().inFlight === 2);
  const report = await worker.stop();
  expect(report.drained).toBe(false);
  expect(report.abandoned).toHaveLength(2);
  expect(await queue.counts()).toMatchObject({ pending: 3, processing: 0, released: 2 });
  expect(await worker.registry.list()).toEqual([]);
});

it('checks its options: heartbeats must come more often than leases expire', () => {
  const queue = new ReliableTaskQueue({ url: redis.url, leaseMs: 500 });
  cleanups.push(() => queue.close());
  expect(() => new ReliableWorker({ queue, heartbeatIntervalMs: 500 })).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
  );
  expect(() => new ReliableWorker({ queue, recoveryIntervalMs: -1 })).toThrow(/recoveryIntervalMs/);
});
