import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { OutputInfo, TaskProcessor } from '@workbook/session03';
import { ReliableTaskQueue, ReliableWorker, WorkerRegistry } from '@workbook/session05';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installGracefulShutdown } from '#ex/04-graceful-shutdown/shutdown.ts';

let server: RedisServerHandle;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  server = await testRedis();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

const output: OutputInfo = { path: 'out.png', format: 'png', width: 1, height: 1, bytes: 1 };
const task = (n: number) => ({
  pipeline: { steps: [] },
  input: `in/${n}.png`,
  output: `out/${n}.png`,
});

/** A worker busy with two slow tasks, a stand-in for `process`, and a recorded `exit`. */
async function busyWorker(taskMs: number, gracePeriodMs: number) {
  const queue = new ReliableTaskQueue({ url: server.url, name: uniqueName('ex4'), owner: 'w1' });
  const processor: TaskProcessor = (_task, context) =>
    delay(taskMs, output, { signal: context.signal });
  const worker = new ReliableWorker({
    queue,
    processor,
    concurrency: 2,
    gracePeriodMs,
    recoveryIntervalMs: 0,
  });
  cleanups.push(async () => {
    await worker.stop();
    await queue.close();
  });
  const stored = await queue.enqueueMany([1, 2, 3].map(task));
  await worker.start();
  await waitFor(() => worker.stats().inFlight === 2);
  const signals = new EventEmitter() as EventEmitter & {
    emit(e: NodeJS.Signals, s: NodeJS.Signals): boolean;
  };
  const exits: number[] = [];
  const stop = async () => {
    await worker.stop();
    await queue.close();
  };
  return { queue, worker, stored, signals, exits, stop, exit: (code: number) => exits.push(code) };
}

describe('05.4 graceful shutdown', () => {
  it('SIGTERM: in-flight tasks finish, the worker deregisters, then exit(0)', async () => {
    const { worker, stored, signals, exits, stop, exit } = await busyWorker(400, 10_000);
    const inspector = new ReliableTaskQueue({ url: server.url, name: worker.registry.name });
    const registry = new WorkerRegistry({ connection: inspector.connection, name: inspector.name });
    cleanups.push(() => inspector.close());
    const shutdown = installGracefulShutdown({ stop, exit, signals });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(exits, '🚨 do not exit before stop() has finished').toEqual([]);
    expect(await shutdown.done, '🚨 done resolves with the exit code').toBe(0);
    expect(exits, '🚨 exit(0) once, after a graceful stop').toEqual([0]);
    const results = await Promise.all(stored.slice(0, 2).map((t) => inspector.result(t.id)));
    expect(
      results.map((r) => r?.status),
      '🚨 the two in-flight tasks finished first',
    ).toEqual(['completed', 'completed']);
    expect(await inspector.size(), 'the third task was never taken').toBe(1);
    expect(await registry.list(), '🚨 deregistered before exit').toEqual([]);
  });

  it('Ctrl-C (SIGINT) pressed twice: exit(130) at once, without waiting for the tasks', async () => {
    const { stored, signals, exits, stop, exit, worker } = await busyWorker(2_000, 10_000);
    const shutdown = installGracefulShutdown({ stop, exit, signals });
    signals.emit('SIGINT', 'SIGINT');
    await delay(50);
    expect(exits, '🚨 the first Ctrl-C only starts stopping').toEqual([]);
    signals.emit('SIGINT', 'SIGINT');
    expect(exits, '🚨 the second Ctrl-C exits at once with 128 + 2').toEqual([130]);
    expect(await shutdown.done).toBe(130);
    expect(worker.stats().inFlight, 'the tasks were still running').toBe(2);
    expect(stored).toHaveLength(3);
  });

  it('a second SIGTERM exits 143; later signals and the end of stop() do not exit again', async () => {
    const { signals, exits, stop, exit } = await busyWorker(300, 10_000);
    installGracefulShutdown({ stop, exit, signals });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM');
    await delay(600);
    expect(exits, '🚨 exit exactly once: 128 + 15').toEqual([143]);
    expect(
      signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT'),
      '🚨 remove your listeners',
    ).toBe(0);
  });

  it('stop() failing exits 1; listeners are removed after exiting', async () => {
    const signals = new EventEmitter() as EventEmitter & {
      emit(e: NodeJS.Signals, s: NodeJS.Signals): boolean;
    };
    const exits: number[] = [];
    const shutdown = installGracefulShutdown({
      stop: async () => {
        throw Object.assign(new Error('Redis is down'), { code: 'ERR_REDIS_UNAVAILABLE' });
      },
      exit: (code) => exits.push(code),
      signals,
      signalNames: ['SIGTERM'],
    });
    expect(signals.listenerCount('SIGTERM'), '🚨 listen on the signals given').toBe(1);
    expect(signals.listenerCount('SIGINT'), '🚨 only the signalNames given').toBe(0);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await shutdown.done).toBe(1);
    expect(exits, '🚨 a failed stop exits 1').toEqual([1]);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('uninstall() removes the listeners without exiting', async () => {
    const signals = new EventEmitter() as EventEmitter & {
      emit(e: NodeJS.Signals, s: NodeJS.Signals): boolean;
    };
    const exits: number[] = [];
    const shutdown = installGracefulShutdown({
      stop: async () => {},
      exit: (c) => exits.push(c),
      signals,
    });
    expect(signals.listenerCount('SIGINT'), '🚨 SIGTERM and SIGINT by default').toBe(1);
    shutdown.uninstall();
    signals.emit('SIGINT', 'SIGINT');
    await delay(20);
    expect(exits).toEqual([]);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
  });
});
