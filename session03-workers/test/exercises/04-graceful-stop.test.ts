import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type GracefulStopResult,
  type StopTarget,
  stopGracefully,
} from '#ex/04-graceful-stop/graceful-stop.ts';

// Fake timers: the grace period passes only when a check moves the clock, so these checks
// are exact and take no real time.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A task that ends after `ms` of fake time (or never, with `Infinity`). */
function taskEndingAfter(ms: number, outcome: 'ok' | 'fail' = 'ok'): Promise<void> {
  if (ms === Number.POSITIVE_INFINITY) return new Promise(() => {});
  return new Promise((resolve, reject) =>
    setTimeout(() => (outcome === 'ok' ? resolve() : reject(new Error('task failed'))), ms),
  );
}

/** A worker stand-in: records calls; `stopFetching` takes `fetchStopMs` of fake time. */
function fakeWorker(tasks: Record<string, Promise<void>>, fetchStopMs = 0) {
  const calls: string[] = [];
  const running = new Map(Object.entries(tasks));
  const target: StopTarget = {
    stopFetching: async () => {
      calls.push('stopFetching');
      if (fetchStopMs > 0) await new Promise((resolve) => setTimeout(resolve, fetchStopMs));
      calls.push('fetching stopped');
    },
    inFlight: () => {
      calls.push('inFlight');
      return new Map(running); // a snapshot of the tasks running NOW, like a real worker's
    },
  };
  return { target, calls, running };
}

function watch(promise: Promise<GracefulStopResult>) {
  const state: { settled: boolean; result?: GracefulStopResult; error?: unknown } = {
    settled: false,
  };
  promise.then(
    (result) => Object.assign(state, { settled: true, result }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('03.4 graceful stop', () => {
  it('stops fetching and waits for the task in flight', async () => {
    const { target, calls } = fakeWorker({ a: taskEndingAfter(10) }, 5);
    const stop = watch(stopGracefully(target, 1_000));
    await vi.advanceTimersByTimeAsync(20);
    expect(stop.error, '🚨 stopGracefully must not reject here').toBeUndefined();
    expect(calls, '🚨 stopGracefully must call target.stopFetching()').toContain('stopFetching');
    expect(calls, '🚨 read the tasks in flight with target.inFlight()').toContain('inFlight');
    expect(stop.result, '🚨 task a ended at 10 ms, within the grace period').toEqual({
      finished: ['a'],
      abandoned: [],
    });
  });

  it('waits for the tasks in flight and resolves as soon as the last one ends', async () => {
    const { target } = fakeWorker({ a: taskEndingAfter(50), b: taskEndingAfter(100) });
    const stop = watch(stopGracefully(target, 10_000));
    await vi.advanceTimersByTimeAsync(99);
    expect(stop.settled, '🚨 task b is still running at 99 ms: keep waiting').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stop.error, '🚨 stopGracefully must not reject here').toBeUndefined();
    expect(
      stop.settled,
      '🚨 every task ended at 100 ms: resolve then, do not wait out the grace period',
    ).toBe(true);
    expect(stop.result, '🚨 both tasks ended: finished a and b, nothing abandoned').toEqual({
      finished: ['a', 'b'],
      abandoned: [],
    });
    expect(vi.getTimerCount(), '🚨 clear the grace timer when you resolve early').toBe(0);
  });

  it('gives up on tasks still running when the grace period ends', async () => {
    const { target } = fakeWorker({
      quick: taskEndingAfter(50),
      stuck: taskEndingAfter(Number.POSITIVE_INFINITY),
    });
    const stop = watch(stopGracefully(target, 500));
    await vi.advanceTimersByTimeAsync(499);
    expect(stop.settled, '🚨 the grace period is 500 ms: still waiting at 499 ms').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stop.error, '🚨 stopGracefully must not reject here').toBeUndefined();
    expect(stop.settled, '🚨 at 500 ms the grace period is over: resolve').toBe(true);
    expect(
      stop.result,
      '🚨 quick ended at 50 ms (finished); stuck was still running when the grace period ran out (abandoned)',
    ).toEqual({ finished: ['quick'], abandoned: ['stuck'] });
  });

  it('counts a task that failed as finished: it ended', async () => {
    const { target } = fakeWorker({ ok: taskEndingAfter(10), bad: taskEndingAfter(20, 'fail') });
    const stop = watch(stopGracefully(target, 1_000));
    await vi.advanceTimersByTimeAsync(20);
    expect(
      stop.error,
      '🚨 a failing task must not make stopGracefully reject: a rejected task has ENDED (handle the rejection)',
    ).toBeUndefined();
    expect(stop.settled, '🚨 both tasks ended by 20 ms (one failed): resolve').toBe(true);
    expect(stop.result, '🚨 a task that failed has ended: it counts as finished').toEqual({
      finished: ['ok', 'bad'],
      abandoned: [],
    });
  });

  it('includes a task started by the last fetch, before fetching stopped', async () => {
    const { target, running } = fakeWorker({ a: taskEndingAfter(10) });
    const stopFetching = target.stopFetching;
    target.stopFetching = async () => {
      await stopFetching();
      running.set('last', taskEndingAfter(30)); // the loop's final dequeue delivered one more
    };
    const stop = watch(stopGracefully(target, 1_000));
    await vi.advanceTimersByTimeAsync(29);
    expect(
      stop.settled,
      '🚨 the task the last fetch started is still running at 29 ms: it must be waited for too (read inFlight() after stopFetching() resolved)',
    ).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stop.error, '🚨 stopGracefully must not reject here').toBeUndefined();
    expect(
      stop.result,
      '🚨 the task the last fetch started must be waited for too: read inFlight() after stopFetching() resolved',
    ).toEqual({ finished: ['a', 'last'], abandoned: [] });
  });

  it('counts the grace period from the call: slow fetch stopping uses it up', async () => {
    const { target } = fakeWorker({ stuck: taskEndingAfter(Number.POSITIVE_INFINITY) }, 300);
    const stop = watch(stopGracefully(target, 500));
    await vi.advanceTimersByTimeAsync(499);
    expect(stop.settled, '🚨 the grace period (500 ms) is not over at 499 ms').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stop.error, '🚨 stopGracefully must not reject here').toBeUndefined();
    expect(
      stop.settled,
      '🚨 500 ms after the call the grace period is over, however it was spent',
    ).toBe(true);
    expect(stop.result, '🚨 stuck never ended: abandoned').toEqual({
      finished: [],
      abandoned: ['stuck'],
    });
    expect(vi.getTimerCount(), '🚨 leave no timer behind').toBe(0);
  });

  it('resolves at once with nothing in flight', async () => {
    const { target } = fakeWorker({});
    const stop = watch(stopGracefully(target, 10_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(stop.error, '🚨 stopGracefully must not reject here').toBeUndefined();
    expect(stop.settled, '🚨 nothing to wait for: resolve at once').toBe(true);
    expect(stop.result, '🚨 nothing was in flight: both lists are empty').toEqual({
      finished: [],
      abandoned: [],
    });
    expect(vi.getTimerCount(), '🚨 clear the grace timer when you resolve early').toBe(0);
  });
});
