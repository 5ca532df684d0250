import { EventEmitter } from 'node:events';
import type { OutputInfo, TaskProcessor } from '@workbook/session03';
import { ReliableTaskQueue, ReliableWorker, WorkerRegistry } from '@workbook/session05';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installGracefulShutdown } from '#ex/04-graceful-shutdown/shutdown.ts';

// No check here waits a fixed time: the worker's tasks run until the check releases them, a
// stand-in `stop` resolves when the check says so, and waits are bounded polling on events.
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

type Signals = EventEmitter & { emit(event: NodeJS.Signals, signal: NodeJS.Signals): boolean };
const newSignals = () => new EventEmitter() as Signals;
const listeners = (signals: Signals) =>
  signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT');

interface Watched<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}
function watch<T>(promise: Promise<T>): Watched<T> {
  const state: Watched<T> = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Lets pending promise callbacks run (no time passes). */
async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** A `stop` that resolves (or rejects) only when the check says so, counting its calls. */
function controlledStop() {
  let finish: (error?: Error) => void = () => {};
  const control = {
    calls: 0,
    stop: () => {
      control.calls++;
      return new Promise<void>((resolve, reject) => {
        finish = (error) => (error ? reject(error) : resolve());
      });
    },
    resolve: () => finish(),
    reject: (error: Error) => finish(error),
  };
  return control;
}

/** A worker busy with two tasks that run until `release()`, a stand-in for `process`. */
async function busyWorker() {
  const queue = new ReliableTaskQueue({ url: server.url, name: uniqueName('ex4'), owner: 'w1' });
  const gates: Array<() => void> = [];
  const processor: TaskProcessor = (_task, context) =>
    new Promise((resolve, reject) => {
      gates.push(() => resolve(output));
      context.signal.addEventListener('abort', () => reject(new Error('grace period over')));
    });
  const worker = new ReliableWorker({
    queue,
    processor,
    concurrency: 2,
    gracePeriodMs: 60_000,
    recoveryIntervalMs: 0,
  });
  const release = () => {
    for (const open of gates.splice(0)) open();
  };
  cleanups.push(async () => {
    release();
    await worker.stop();
    await queue.close();
  });
  const stored = await queue.enqueueMany([1, 2, 3].map(task));
  await worker.start();
  await waitFor(() => worker.stats().inFlight === 2, {
    timeoutMs: 10_000,
    message: '🚨 (setup) the worker did not start its two tasks',
  });
  const exits: number[] = [];
  const stop = async () => {
    await worker.stop();
    await queue.close();
  };
  return { queue, worker, stored, release, exits, stop, exit: (code: number) => exits.push(code) };
}

describe('05.4 graceful shutdown', () => {
  it('SIGTERM: in-flight tasks finish, the worker deregisters, then exit(0)', async () => {
    const { worker, stored, exits, stop, exit, release } = await busyWorker();
    const signals = newSignals();
    const inspector = new ReliableTaskQueue({ url: server.url, name: worker.registry.name });
    const registry = new WorkerRegistry({ connection: inspector.connection, name: inspector.name });
    cleanups.push(() => inspector.close());
    const shutdown = installGracefulShutdown({ stop, exit, signals });
    const done = watch(shutdown.done);
    signals.emit('SIGTERM', 'SIGTERM');
    await waitFor(() => worker.lifecycle !== 'running' || exits.length > 0, {
      timeoutMs: 10_000,
      message: '🚨 SIGTERM must start stopping: call stop() on the first signal',
    });
    expect(
      exits,
      '🚨 do not exit before stop() has finished: the two tasks are still running',
    ).toEqual([]);
    release();
    await waitFor(() => exits.length > 0, {
      timeoutMs: 10_000,
      message: '🚨 stop() finished but exit was never called: call exit(0) when stop() resolves',
    });
    await flush();
    expect(exits, '🚨 exit(0) once, after a graceful stop').toEqual([0]);
    expect(
      done.settled,
      '🚨 exit was called but `done` has not resolved: resolve it with the code',
    ).toBe(true);
    expect(done.value, '🚨 done resolves with the exit code that was used (0)').toBe(0);
    const results = await Promise.all(stored.slice(0, 2).map((t) => inspector.result(t.id)));
    expect(
      results.map((r) => r?.status),
      '🚨 the two in-flight tasks must finish before exit',
    ).toEqual(['completed', 'completed']);
    expect(await inspector.size(), '🚨 the third task was never taken: it is still pending').toBe(
      1,
    );
    expect(await registry.list(), '🚨 the worker must have deregistered before exit').toEqual([]);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(exits, '🚨 a signal after exit must do nothing (remove your listeners)').toEqual([0]);
  });

  it('Ctrl-C (SIGINT) pressed twice: exit(130) at once, without waiting for the tasks', async () => {
    const { exits, stop, exit, worker } = await busyWorker();
    const signals = newSignals();
    const shutdown = installGracefulShutdown({ stop, exit, signals });
    const done = watch(shutdown.done);
    signals.emit('SIGINT', 'SIGINT');
    await flush();
    expect(exits, '🚨 the first Ctrl-C only starts stopping: no exit while tasks run').toEqual([]);
    signals.emit('SIGINT', 'SIGINT');
    expect(
      exits,
      '🚨 a second signal while stopping must exit AT ONCE (synchronously) with 128 + 2 = 130 for SIGINT',
    ).toEqual([130]);
    await flush();
    expect(done.value, '🚨 done resolves with the exit code that was used (130)').toBe(130);
    expect(
      worker.stats().inFlight,
      '🚨 the second Ctrl-C must exit without waiting: the two tasks are still running',
    ).toBe(2);
  });

  it('a second SIGTERM exits 143; later signals and the end of stop() do not exit again', async () => {
    const control = controlledStop();
    const signals = newSignals();
    const exits: number[] = [];
    installGracefulShutdown({ stop: control.stop, exit: (code) => exits.push(code), signals });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGTERM', 'SIGTERM');
    expect(control.calls, '🚨 stop() runs once, on the first signal only').toBe(1);
    expect(exits, '🚨 the second SIGTERM exits at once with 128 + 15 = 143, and only once').toEqual(
      [143],
    );
    control.resolve(); // stop() ends after all
    await flush();
    expect(exits, '🚨 exit exactly once: the end of stop() must not exit again').toEqual([143]);
    expect(listeners(signals), '🚨 remove your listeners once you have exited').toBe(0);
  });

  it('the code of a forced exit is 128 + the number of the signal that forced it', async () => {
    const control = controlledStop();
    const signals = newSignals();
    const exits: number[] = [];
    installGracefulShutdown({ stop: control.stop, exit: (code) => exits.push(code), signals });
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    expect(
      exits,
      "🚨 SIGTERM then Ctrl-C: the SECOND signal forces the exit, so the code is 128 + SIGINT's 2 = 130 (os.constants.signals)",
    ).toEqual([130]);
    control.resolve();
  });

  it('stop() failing exits 1; listeners are removed after exiting', async () => {
    const control = controlledStop();
    const signals = newSignals();
    const exits: number[] = [];
    const shutdown = installGracefulShutdown({
      stop: control.stop,
      exit: (code) => exits.push(code),
      signals,
      signalNames: ['SIGTERM'],
    });
    const done = watch(shutdown.done);
    expect(signals.listenerCount('SIGTERM'), '🚨 listen on the signals given').toBe(1);
    expect(signals.listenerCount('SIGINT'), '🚨 only the signalNames given').toBe(0);
    signals.emit('SIGTERM', 'SIGTERM');
    await flush();
    expect(exits, '🚨 no exit while stop() is still running').toEqual([]);
    control.reject(Object.assign(new Error('Redis is down'), { code: 'ERR_REDIS_UNAVAILABLE' }));
    await flush();
    expect(exits, '🚨 a stop() that rejects must exit(1): the shutdown was not clean').toEqual([1]);
    expect(done.value, '🚨 done resolves with the exit code that was used (1)').toBe(1);
    expect(signals.listenerCount('SIGTERM'), '🚨 remove your listeners once you have exited').toBe(
      0,
    );
  });

  it('uninstall() removes the listeners without exiting', async () => {
    const control = controlledStop();
    const signals = newSignals();
    const exits: number[] = [];
    const shutdown = installGracefulShutdown({
      stop: control.stop,
      exit: (c) => exits.push(c),
      signals,
    });
    expect(
      [signals.listenerCount('SIGTERM'), signals.listenerCount('SIGINT')],
      '🚨 by default, listen for SIGTERM and SIGINT (one listener each)',
    ).toEqual([1, 1]);
    shutdown.uninstall();
    signals.emit('SIGINT', 'SIGINT');
    await flush();
    expect(control.calls, '🚨 after uninstall(), a signal must not start stopping').toBe(0);
    expect(exits, '🚨 uninstall() must not exit').toEqual([]);
    expect(listeners(signals), '🚨 uninstall() removes every listener').toBe(0);
  });

  it('without an `exit` option, it ends the process with process.exit(code)', async () => {
    const control = controlledStop();
    const signals = newSignals();
    const exits: Array<string | number | null | undefined> = [];
    // process.exit stands in here: it records the code instead of ending the test run.
    const processExit = vi.spyOn(process, 'exit').mockImplementation(((
      code?: string | number | null,
    ) => {
      exits.push(code);
    }) as typeof process.exit);
    try {
      const shutdown = installGracefulShutdown({ stop: control.stop, signals });
      const done = watch(shutdown.done);
      signals.emit('SIGTERM', 'SIGTERM');
      control.resolve();
      await flush();
      expect(
        exits,
        '🚨 no `exit` was given, so the default must end the process: call process.exit(0) once the graceful stop is over (`options.exit ?? ((code) => process.exit(code))`)',
      ).toEqual([0]);
      expect(done.value, '🚨 done resolves with the exit code that was used (0)').toBe(0);
    } finally {
      processExit.mockRestore();
    }
  });
});
