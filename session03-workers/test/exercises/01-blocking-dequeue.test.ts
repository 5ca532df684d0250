import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BlockingQueue } from '#ex/01-blocking-dequeue/blocking-queue.ts';

// Fake timers: time moves only when a check says so. A `take` that is woken by `push` resolves
// without any time passing; one that polls (looks again every few ms) never does.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

interface Watched<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

/** Tracks a promise's outcome without awaiting it. */
function watch<T>(promise: Promise<T>): Watched<T> {
  const state: Watched<T> = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Lets pending promise callbacks run, without moving the fake clock. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** What a take resolved with, in words ("null", "undefined", "'a'", "still waiting"). */
function outcome<T>(taken: Watched<T>): string {
  if (!taken.settled) return 'still waiting';
  if (taken.error !== undefined) return `rejected: ${String(taken.error)}`;
  return taken.value === undefined ? 'undefined' : JSON.stringify(taken.value);
}

describe('03.1 blocking dequeue', () => {
  it('take returns the items in the order they were pushed', async () => {
    const queue = new BlockingQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.push('c');
    const got = [await queue.take(0), await queue.take(0), await queue.take(0)];
    expect(got, `🚨 take must return the OLDEST item first (FIFO); got ${got}`).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(queue.size, '🚨 size counts the items not taken yet: all three were taken').toBe(0);
  });

  it('take(0) on an empty queue resolves null at once', async () => {
    const queue = new BlockingQueue<string>();
    const taken = watch(queue.take(0));
    await flush();
    expect(
      taken.settled,
      '🚨 take(0) must not wait: with timeoutMs 0, return null at once (no timer, no waiter)',
    ).toBe(true);
    expect(
      taken.value,
      `🚨 take(0) on an empty queue must resolve null ("no item"), it resolved ${outcome(taken)}`,
    ).toBeNull();
    expect(queue.waiting, '🚨 take(0) must not join the waiter list').toBe(0);
  });

  it('a waiting take is woken by push, with no time passing (no polling)', async () => {
    const queue = new BlockingQueue<string>();
    const taken = watch(queue.take(1_000));
    await flush();
    expect(queue.waiting, '🚨 a take on an empty queue must join the waiter list').toBe(1);
    queue.push('photo.png');
    await flush();
    expect(
      taken.settled,
      '🚨 push must hand the item to the waiting consumer right away; a take that polls with a timer never wakes here',
    ).toBe(true);
    expect(taken.value, `🚨 the waiting take must get the pushed item, got ${outcome(taken)}`).toBe(
      'photo.png',
    );
    expect(queue.waiting, '🚨 a consumer that got its item must leave the waiter list').toBe(0);
    expect(queue.size, '🚨 an item handed to a waiter must not also stay in the queue').toBe(0);
  });

  it('take waits timeoutMs, then resolves null and leaves the waiter list', async () => {
    const queue = new BlockingQueue<string>();
    const taken = watch(queue.take(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(taken.settled, '🚨 take(1000) must still be waiting after 999 ms').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken.settled, '🚨 take(1000) must give up after 1000 ms').toBe(true);
    expect(
      taken.value,
      `🚨 a take that timed out must resolve null, it resolved ${outcome(taken)}`,
    ).toBeNull();
    expect(queue.waiting, '🚨 a consumer that timed out must leave the waiter list').toBe(0);
  });

  it('an item pushed after a consumer timed out is not lost: the next take gets it', async () => {
    const queue = new BlockingQueue<string>();
    const first = watch(queue.take(100));
    await vi.advanceTimersByTimeAsync(100);
    expect(first.value, `🚨 take(100) must resolve null after 100 ms, got ${outcome(first)}`).toBe(
      null,
    );
    expect(queue.waiting, '🚨 a consumer that timed out must leave the waiter list').toBe(0);
    queue.push('late.png');
    expect(
      queue.size,
      '🚨 the item must wait in the queue, not go to the consumer that gave up (it would be lost)',
    ).toBe(1);
    expect(await queue.take(0), '🚨 the next take must get the item pushed after the timeout').toBe(
      'late.png',
    );
  });

  it('waiting consumers are served first come, first served', async () => {
    const queue = new BlockingQueue<number>();
    const first = watch(queue.take(1_000));
    const second = watch(queue.take(1_000));
    const third = watch(queue.take(1_000));
    expect(queue.waiting, '🚨 three takes on an empty queue: three waiters').toBe(3);
    queue.push(1);
    await flush();
    expect(
      [first.value, second.value, third.value],
      '🚨 the consumer that has waited LONGEST must get the next item (take waiters from the front)',
    ).toEqual([1, undefined, undefined]);
    queue.push(2);
    queue.push(3);
    await flush();
    expect(
      [first.value, second.value, third.value],
      '🚨 waiters are served in the order they came (first come, first served)',
    ).toEqual([1, 2, 3]);
  });

  it("a served consumer's timer is cleared and never disturbs the consumers still waiting", async () => {
    const queue = new BlockingQueue<string>();
    const early = watch(queue.take(100));
    const patient = watch(queue.take(10_000));
    queue.push('x');
    await flush();
    expect(early.value, `🚨 the first waiter must get 'x', got ${outcome(early)}`).toBe('x');
    await vi.advanceTimersByTimeAsync(200); // past the served take's 100 ms
    expect(
      queue.waiting,
      "🚨 the second consumer left the waiter list when the FIRST one's 100 ms passed: clear a waiter's timer when it gets an item (a stale timer's indexOf is -1, and splice(-1, 1) removes someone else)",
    ).toBe(1);
    queue.push('y');
    await flush();
    expect(
      patient.value,
      `🚨 the consumer still waiting must get 'y', got ${outcome(patient)}`,
    ).toBe('y');
    expect(
      vi.getTimerCount(),
      '🚨 every take has been served: no timer may be left behind (clearTimeout when a waiter gets its item)',
    ).toBe(0);
  });

  it('100 waiting consumers and 100 items: every item goes to exactly one consumer', async () => {
    const queue = new BlockingQueue<number>();
    const consumers = Array.from({ length: 100 }, () => watch(queue.take(5_000)));
    for (let n = 0; n < 100; n++) queue.push(n);
    await flush();
    expect(
      consumers.every((c) => c.settled),
      '🚨 every waiting consumer must get an item',
    ).toBe(true);
    const got = consumers.map((c) => c.value);
    expect(new Set(got).size, '🚨 an item was delivered twice (or one was lost)').toBe(100);
    expect(
      got.every((item) => typeof item === 'number'),
      '🚨 every consumer must get an item, not null',
    ).toBe(true);
    expect(queue.waiting, '🚨 every consumer was served: nobody is left waiting').toBe(0);
    expect(queue.size, '🚨 every item went to a waiter: none stays queued').toBe(0);
  });

  it('close wakes every waiting consumer with null; later push and take throw ERR_QUEUE_CLOSED', async () => {
    const queue = new BlockingQueue<string>();
    const a = watch(queue.take(10_000));
    const b = watch(queue.take(10_000));
    queue.close();
    await flush();
    expect(
      [a.settled, b.settled],
      '🚨 close must wake the waiting consumers at once (settle every waiter with null)',
    ).toEqual([true, true]);
    expect(
      [a.value, b.value],
      `🚨 woken by close, a take resolves null; got ${outcome(a)} and ${outcome(b)}`,
    ).toEqual([null, null]);
    expect(queue.waiting, '🚨 close must empty the waiter list').toBe(0);
    expect(
      () => queue.push('x'),
      "🚨 push after close must throw new QueueClosedError('push') (code ERR_QUEUE_CLOSED, a message that names the push that was refused)",
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_QUEUE_CLOSED',
        message: expect.stringContaining('push'),
      }),
    );
    const late = await queue.take(0).then(
      (value) => `resolved ${JSON.stringify(value)}`,
      (error: unknown) => error,
    );
    expect(
      late,
      "🚨 take after close must reject with new QueueClosedError('take') (code ERR_QUEUE_CLOSED, a message that names the take that was refused)",
    ).toMatchObject({ code: 'ERR_QUEUE_CLOSED', message: expect.stringContaining('take') });
  });
});
