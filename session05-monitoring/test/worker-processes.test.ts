/**
 * Real worker processes on a real redis-server: SIGTERM during work, a second signal, a stalled
 * worker fenced off by the one that took over, and Redis restarting under the workers.
 */
import { type RedisServerHandle, startRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReliableTaskQueue, ReliableWorker, WorkerRegistry } from '../src/index.ts';
import { newTask, output } from './helpers.ts';
import {
  eventsOf,
  type FixtureWorkerOptions,
  killAll,
  startWorker,
  type TestWorker,
} from './process-helpers.ts';

let redis: RedisServerHandle;
const workers: TestWorker[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await killAll(workers.splice(0));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

/** A queue + registry for the test's side (producer, observer). */
function observe(url: string, name: string, options: { leaseMs?: number } = {}) {
  const queue = new ReliableTaskQueue({ url, name, ...options });
  const registry = new WorkerRegistry({ connection: queue.connection, name });
  cleanups.push(() => queue.close());
  return { queue, registry };
}

function fast(
  url: string,
  queue: string,
  extra: Partial<FixtureWorkerOptions> = {},
): FixtureWorkerOptions {
  return {
    redisUrl: url,
    queue,
    leaseMs: 1_000,
    heartbeatIntervalMs: 200,
    heartbeatTtlMs: 1_000,
    recoveryIntervalMs: 250,
    ...extra,
  };
}

/**
 * Waits until `worker` has started (its `started` line): starting a process that compiles the
 * course's TypeScript can take tens of seconds on a loaded machine, so the start gets its own
 * bound, and the waits that follow measure only what the test is about.
 */
async function started(worker: TestWorker) {
  await waitFor(() => worker.events.some((e) => e.event === 'started'), {
    timeoutMs: STARTUP_MS,
    intervalMs: 100,
    message: `worker ${worker.pid} started`,
  });
}
const STARTUP_MS = 120_000;
/** Test timeout: the start, plus what the test waits for after it. */
const WITH_STARTUP = (ms: number) => STARTUP_MS + ms;

/** Waits until `worker` has started, is registered and holds `count` tasks. */
async function holding(registry: WorkerRegistry, worker: TestWorker, count: number) {
  await started(worker);
  return waitFor(
    async () => {
      const found = (await registry.list()).find((w) => w.pid === worker.pid && w.alive);
      return found && found.current.length === count ? found : null;
    },
    { timeoutMs: 30_000, message: `worker ${worker.pid} holding ${count} task(s)` },
  );
}

describe('SIGTERM', () => {
  it(
    'in-flight tasks finish, nothing new is taken, the worker deregisters and exits 0',
    async () => {
      const name = uniqueName('term');
      const { queue, registry } = observe(redis.url, name);
      const stored = await queue.enqueueMany([1, 2, 3, 4].map(newTask));
      const worker = startWorker(
        // Tasks of 4 s and a lease no stall outlasts: the pair seen held is the pair that is
        // drained (1.5 s tasks let a slow observer see the second pair), and no lease expires.
        fast(redis.url, name, {
          concurrency: 2,
          delayMs: 4_000,
          gracePeriodMs: 20_000,
          leaseMs: 10_000,
          heartbeatTtlMs: 5_000,
        }),
      );
      workers.push(worker);
      const info = await holding(registry, worker, 2);
      worker.kill('SIGTERM');
      const exit = await worker.exited;

      expect(exit.exitCode, '🚨 a graceful stop exits 0').toBe(0);
      const held = info.current.map((t) => t.taskId).sort();
      for (const id of held) expect((await queue.result(id))?.status).toBe('completed');
      expect(await queue.counts()).toMatchObject({ pending: 2, processing: 0, completed: 2 });
      expect(await registry.list(), 'deregistered').toEqual([]);
      expect(worker.events.map((e) => e.event)).toEqual(
        expect.arrayContaining(['started', 'stopping', 'stopped']),
      );
      expect(stored).toHaveLength(4);
    },
    WITH_STARTUP(60_000),
  );

  it(
    'tasks still running when the grace period ends go back to pending, attempt not counted',
    async () => {
      const name = uniqueName('term');
      const { queue, registry } = observe(redis.url, name);
      await queue.enqueueMany([1, 2, 3].map(newTask));
      const worker = startWorker(
        fast(redis.url, name, {
          concurrency: 2,
          delayMs: 10_000,
          gracePeriodMs: 300,
          leaseMs: 10_000,
          heartbeatTtlMs: 5_000,
        }),
      );
      workers.push(worker);
      const info = await holding(registry, worker, 2);
      worker.kill('SIGTERM');
      const exit = await worker.exited;

      expect(exit.exitCode).toBe(0);
      expect(await queue.counts()).toMatchObject({
        pending: 3,
        processing: 0,
        released: 2,
        completed: 0,
      });
      for (const { taskId } of info.current) {
        const record = (await queue.inspect(taskId))!;
        expect(record.state).toBe('pending');
        expect(record.task.attempts, 'a handed-back task keeps its attempt').toBe(0);
      }
      expect(eventsOf([worker], 'released')[0]?.taskIds).toEqual(
        expect.arrayContaining(info.current.map((t) => t.taskId)),
      );
      expect(await registry.list()).toEqual([]);
    },
    WITH_STARTUP(60_000),
  );

  it(
    'a second signal exits at once (143); recovery then hands its tasks to others',
    async () => {
      const name = uniqueName('term');
      const { queue, registry } = observe(redis.url, name);
      await queue.enqueueMany([1, 2].map(newTask));
      const worker = startWorker(
        fast(redis.url, name, { concurrency: 2, delayMs: 10_000, gracePeriodMs: 20_000 }),
      );
      workers.push(worker);
      await holding(registry, worker, 2);
      worker.kill('SIGTERM');
      await waitFor(() => worker.events.some((e) => e.event === 'stopping'), { timeoutMs: 10_000 });
      worker.kill('SIGTERM');
      const exit = await worker.exited;

      expect(exit.exitCode, '🚨 128 + SIGTERM (15)').toBe(143);
      expect((await queue.counts()).processing, 'its tasks are still leased').toBe(2);
      const report = await waitFor(async () => {
        const r = await queue.recover();
        return r.requeued.length === 2 ? r : null;
      });
      expect(report.requeued).toHaveLength(2);
      expect(await queue.counts()).toMatchObject({ pending: 2, processing: 0 });
    },
    WITH_STARTUP(60_000),
  );
});

describe('fencing across processes', () => {
  it(
    'a stalled worker loses its lease; the task is done by another; the stalled ack is refused',
    async () => {
      const name = uniqueName('stall');
      const { queue, registry } = observe(redis.url, name);
      const [task] = await queue.enqueueMany([{ ...newTask(1), input: 'in/stall-me.png' }]);
      const staller = startWorker(fast(redis.url, name, { stallMs: 4_000 }));
      workers.push(staller);
      await started(staller);
      // The staller takes the task and blocks its event loop: no heartbeat, no lease extension.
      await waitFor(async () => (await queue.inspect(task!.id))?.state === 'processing', {
        timeoutMs: 30_000,
      });

      const rescuerQueue = new ReliableTaskQueue({
        url: redis.url,
        name,
        owner: 'rescuer',
        leaseMs: 1_000,
      });
      const rescuer = new ReliableWorker({
        queue: rescuerQueue,
        heartbeatIntervalMs: 200,
        recoveryIntervalMs: 100,
        processor: async () => output,
      });
      cleanups.push(async () => {
        await rescuer.stop();
        await rescuerQueue.close();
      });
      await rescuer.start();
      const result = await waitFor(() => queue.result(task!.id), { timeoutMs: 20_000 });
      expect(result.workerId, 'the rescuer did it').toBe('rescuer');
      expect(result.attempt).toBe(2);

      // The staller wakes up, finishes, and is refused.
      await waitFor(() => staller.events.some((e) => e.event === 'leaseLost'), {
        timeoutMs: 20_000,
      });
      expect(
        (await queue.result(task!.id))?.workerId,
        '🚨 the slow worker must not overwrite it',
      ).toBe('rescuer');
      expect((await queue.counts()).completed).toBe(1);
      expect(eventsOf([staller], 'task').filter((e) => e.status === 'completed')).toEqual([]);
      expect((await registry.list()).map((w) => w.id)).toContain('rescuer');
    },
    WITH_STARTUP(60_000),
  );
});

describe('Redis restart', () => {
  it(
    'workers reconnect after Redis is killed and restarted (AOF) and the run completes',
    async () => {
      const server = await startRedis({ persistence: true });
      cleanups.push(() => server[Symbol.asyncDispose]());
      const name = uniqueName('restart');
      const { queue } = observe(server.url, name);
      const stored = await queue.enqueueMany(Array.from({ length: 80 }, (_, n) => newTask(n)));
      for (let n = 0; n < 2; n++) {
        workers.push(
          startWorker(fast(server.url, name, { concurrency: 2, delayMs: 50, leaseMs: 2_000 })),
        );
      }
      for (const worker of workers) await started(worker);
      await waitFor(async () => (await queue.counts()).completed >= 15, { timeoutMs: 30_000 });
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.start();

      const final = await waitFor(
        async () => {
          const c = await queue.counts().catch(() => null);
          return c &&
            c.completed + c.dlq === stored.length &&
            c.processing + c.pending + c.delayed === 0
            ? c
            : null;
        },
        { timeoutMs: 45_000, intervalMs: 200, message: 'all 80 tasks done after the restart' },
      );
      expect(final).toMatchObject({ completed: 80, dlq: 0 });
      const results = await Promise.all(stored.map((t) => queue.result(t.id)));
      expect(results.every((r) => r?.status === 'completed')).toBe(true);
      expect(
        workers.every((w) => !w.gone),
        'the workers survived the restart',
      ).toBe(true);
    },
    WITH_STARTUP(90_000),
  );
});
