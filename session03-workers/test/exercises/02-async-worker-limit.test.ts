import { InMemoryTaskQueue, type TaskProcessor } from '@workbook/session03';
import { waitFor } from '@workbook/tools/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LimitedWorker } from '#ex/02-async-worker-limit/limited-worker.ts';
import { fakeOutput, instrumentedProcessor } from '../helpers.ts';

const workers: LimitedWorker[] = [];
const gates: Array<() => void> = [];
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  const stopped = Promise.all(workers.splice(0).map((worker) => worker.stop()));
  // On fake timers, move the clock past the grace period so even a stuck loop lets stop end.
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(11_000);
  vi.useRealTimers();
  await stopped;
});

/**
 * A processor whose tasks run until the check releases them: `running` holds the inputs of
 * the tasks running now, `max` the most that ran at once. No timers: the checks that use it
 * run on fake timers, so a loop that polls with a timer (instead of waiting for a change)
 * never moves.
 */
function gatedProcessor() {
  const state = {
    running: new Set<string>(),
    started: [] as string[],
    max: 0,
    release: new Map<string, () => void>(),
  };
  const processor: TaskProcessor = async (task) => {
    state.running.add(task.input);
    state.started.push(task.input);
    state.max = Math.max(state.max, state.running.size);
    await new Promise<void>((resolve) => {
      state.release.set(task.input, resolve);
      gates.push(resolve);
    });
    state.running.delete(task.input);
    return fakeOutput(task.output);
  };
  return {
    processor,
    state,
    /** Ends the task with this input (it then completes and is acked). */
    finish(input: string) {
      const release = state.release.get(input);
      if (!release) {
        throw new Error(
          `🚨 task ${input} should be running by now but your worker never started it (running: ${[...state.running].join(', ') || 'none'}): while a slot is free and tasks wait, start a task without awaiting it, then fetch the next`,
        );
      }
      release();
    },
  };
}

/** Lets every pending promise callback run, without moving the (fake) clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 200; i++) await Promise.resolve();
}

async function enqueue(queue: InMemoryTaskQueue, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n++) {
    await queue.enqueue({ pipeline: { steps: [] }, input: `in-${n}`, output: `out-${n}` });
  }
}

/** A worker on fake timers with gated tasks. */
async function gatedWorker(concurrency: number, tasks: number) {
  vi.useFakeTimers();
  const gated = gatedProcessor();
  const queue = new InMemoryTaskQueue();
  await enqueue(queue, 0, tasks);
  const worker = new LimitedWorker({
    queue,
    processor: gated.processor,
    concurrency,
    dequeueTimeoutMs: 200,
  });
  workers.push(worker);
  await worker.start();
  await settle();
  return { ...gated, queue, worker };
}

function healthy(worker: LimitedWorker): void {
  const health = worker.health();
  expect(health.healthy, `🚨 the worker is unhealthy: ${health.reason}`).toBe(true);
}

/** Fails with the "too many" message when more than `concurrency` tasks run now. */
function atMost(running: Set<string>, concurrency: number): void {
  expect(
    running.size,
    tooManyOrTooFew(running.size, concurrency, running.size),
  ).toBeLessThanOrEqual(concurrency);
}

function tooManyOrTooFew(max: number, concurrency: number, waiting: number): string {
  const cause =
    max === concurrency + 1
      ? 'one too many: `>` instead of `>=`, or a check not made again before every fetch'
      : `${max - concurrency} too many: check the limit again before every fetch, inside the loop`;
  return max > concurrency
    ? `🚨 ${max} tasks ran at once with concurrency ${concurrency}: the loop must wait while inFlightCount >= concurrency (${cause})`
    : `🚨 only ${max} task(s) ran at once with concurrency ${concurrency} and ${waiting} tasks waiting: start a task without awaiting it, then fetch the next`;
}

describe('03.2 AsyncWorker concurrency limit', () => {
  it('runs exactly `concurrency` tasks at once when there is enough work, never more', async () => {
    const { state, worker } = await gatedWorker(3, 5);
    healthy(worker);
    expect(state.running.size, tooManyOrTooFew(state.running.size, 3, 5)).toBe(3);
    expect(state.max, tooManyOrTooFew(state.max, 3, 5)).toBe(3);
  });

  it('never runs more than `concurrency` tasks at once, over a whole run', async () => {
    const probe = instrumentedProcessor(30);
    const queue = new InMemoryTaskQueue();
    await enqueue(queue, 0, 12);
    const worker = new LimitedWorker({
      queue,
      processor: probe.processor,
      concurrency: 3,
      dequeueTimeoutMs: 200,
    });
    workers.push(worker);
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed === 12 || !worker.health().healthy, {
      timeoutMs: 10_000,
      message: '🚨 the worker did not finish 12 tasks',
    });
    healthy(worker);
    expect(probe.max, tooManyOrTooFew(probe.max, 3, 12)).toBeLessThanOrEqual(3);
    expect((await queue.stats()).completed, '🚨 every one of the 12 tasks must be completed').toBe(
      12,
    );
  });

  it('refills a freed slot at once, with no time passing: it waits for a change, not a timer', async () => {
    const { state, finish, worker } = await gatedWorker(2, 4);
    healthy(worker);
    atMost(state.running, 2);
    expect([...state.running], '🚨 with concurrency 2, tasks in-0 and in-1 must run').toEqual([
      'in-0',
      'in-1',
    ]);
    finish('in-0');
    await settle();
    atMost(state.running, 2);
    expect(
      [...state.running].sort(),
      '🚨 task in-0 ended and no time passed: its slot must be refilled with in-2 at once. Wait for a change with `await this.waitForChange()`; a loop that sleeps on a timer and looks again (polling) does not move here',
    ).toEqual(['in-1', 'in-2']);
  });

  it('refills a slot as soon as a task finishes, not when a whole batch has finished', async () => {
    const { state, finish, worker } = await gatedWorker(2, 6);
    // in-0 stays slow; every other task ends as soon as it starts.
    for (let round = 0; round < 10 && state.started.length < 6; round++) {
      for (const input of [...state.running]) if (input !== 'in-0') finish(input);
      await settle();
    }
    healthy(worker);
    expect(state.max, tooManyOrTooFew(state.max, 2, 6)).toBe(2);
    expect(
      state.started,
      '🚨 while one slot is held by a slow task (in-0), the other slot must keep working through in-1..in-5: refill each slot on its own, do not wait for a whole batch (Promise.all) to end',
    ).toEqual(['in-0', 'in-1', 'in-2', 'in-3', 'in-4', 'in-5']);
  });

  it('a second wave after an idle spell runs too: a null from fetchTask does not end the loop', async () => {
    const { state, finish, queue, worker } = await gatedWorker(2, 2);
    finish('in-0');
    finish('in-1');
    await settle();
    expect((await queue.stats()).completed, '🚨 the first wave (2 tasks) must complete').toBe(2);
    // Idle: several dequeue timeouts pass (fetchTask gives null each time).
    await vi.advanceTimersByTimeAsync(1_000);
    await enqueue(queue, 2, 3);
    await settle();
    healthy(worker);
    atMost(state.running, 2);
    expect(
      [...state.running],
      '🚨 after an idle spell (fetchTask gave null: no task within the timeout) new tasks came and none started. null means "nothing yet": keep looping while this.isRunning',
    ).toEqual(['in-2', 'in-3']);
    finish('in-2');
    await settle();
    atMost(state.running, 2);
    expect(
      [...state.running].sort(),
      '🚨 in the second wave too, a freed slot must be refilled at once',
    ).toEqual(['in-3', 'in-4']);
  });

  it('with concurrency 1, runs tasks one at a time in queue order', async () => {
    const probe = instrumentedProcessor(10);
    const queue = new InMemoryTaskQueue();
    await enqueue(queue, 0, 4);
    const worker = new LimitedWorker({
      queue,
      processor: probe.processor,
      concurrency: 1,
      dequeueTimeoutMs: 200,
    });
    workers.push(worker);
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed === 4 || !worker.health().healthy, {
      timeoutMs: 10_000,
      message: '🚨 the worker did not finish 4 tasks',
    });
    healthy(worker);
    expect(probe.max, tooManyOrTooFew(probe.max, 1, 4)).toBe(1);
    expect(probe.order, '🚨 one at a time, tasks run in queue order').toEqual([
      'in-0',
      'in-1',
      'in-2',
      'in-3',
    ]);
  });

  it('stops cleanly: nothing left half-done, nothing lost', async () => {
    const probe = instrumentedProcessor(20);
    const queue = new InMemoryTaskQueue();
    await enqueue(queue, 0, 20);
    const worker = new LimitedWorker({ queue, processor: probe.processor, concurrency: 3 });
    workers.push(worker);
    await worker.start();
    await waitFor(async () => (await queue.stats()).completed >= 3 || !worker.health().healthy, {
      timeoutMs: 10_000,
      message: '🚨 the worker did not complete 3 tasks',
    });
    healthy(worker);
    const report = await worker.stop();
    const stats = await queue.stats();
    expect(report.drained, '🚨 stop must let the tasks in flight finish (drained)').toBe(true);
    expect(stats.processing, '🚨 a task was left in flight after stop').toBe(0);
    expect(stats.completed + stats.pending, '🚨 a task was lost').toBe(20);
    expect(probe.max, tooManyOrTooFew(probe.max, 3, 20)).toBeLessThanOrEqual(3);
  });
});
