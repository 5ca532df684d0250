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

/** Tracks a promise's outcome without awaiting it. */
function watch<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
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

describe('03.1 blocking dequeue', () => {
  it('take returns the items in the order they were pushed', async () => {
    const queue = new BlockingQueue<string>();
    queue.push('a');
    queue.push('b');
    queue.push('c');
    expect(await queue.take(0), '🚨 take must return the OLDEST item first').toBe('a');
    expect(await queue.take(0)).toBe('b');
    expect(await queue.take(0)).toBe('c');
  });

  it('take(0) on an empty queue returns null at once', async () => {
    const queue = new BlockingQueue<string>();
    const taken = watch(queue.take(0));
    await flush();
    expect(taken.settled, '🚨 take(0) must not wait').toBe(true);
    expect(taken.value, '🚨 an empty queue gives null').toBeNull();
    expect(queue.waiting).toBe(0);
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
    expect(taken.value).toBe('photo.png');
    expect(queue.waiting).toBe(0);
    expect(queue.size, '🚨 an item handed to a waiter must not also stay in the queue').toBe(0);
  });

  it('take waits timeoutMs, then resolves null and leaves the waiter list', async () => {
    const queue = new BlockingQueue<string>();
    const taken = watch(queue.take(1_000));
    await vi.advanceTimersByTimeAsync(999);
    expect(taken.settled, '🚨 take(1000) must still be waiting after 999 ms').toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken.settled, '🚨 take(1000) must give up after 1000 ms').toBe(true);
    expect(taken.value).toBeNull();
    expect(queue.waiting, '🚨 a consumer that timed out must leave the waiter list').toBe(0);
  });

  it('an item pushed after a consumer timed out is not lost: the next take gets it', async () => {
    const queue = new BlockingQueue<string>();
    const first = watch(queue.take(100));
    await vi.advanceTimersByTimeAsync(100);
    expect(first.value).toBeNull();
    queue.push('late.png');
    expect(
      queue.size,
      '🚨 the item must wait in the queue, not go to the consumer that gave up',
    ).toBe(1);
    expect(await queue.take(0)).toBe('late.png');
  });

  it('waiting consumers are served first come, first served', async () => {
    const queue = new BlockingQueue<number>();
    const first = watch(queue.take(1_000));
    const second = watch(queue.take(1_000));
    const third = watch(queue.take(1_000));
    queue.push(1);
    queue.push(2);
    queue.push(3);
    await flush();
    expect(
      [first.value, second.value, third.value],
      '🚨 the consumer that has waited longest must get the next item',
    ).toEqual([1, 2, 3]);
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
    expect(got.every((item) => typeof item === 'number')).toBe(true);
    expect(queue.waiting).toBe(0);
  });

  it('close wakes every waiting consumer with null; later push and take throw ERR_QUEUE_CLOSED', async () => {
    const queue = new BlockingQueue<string>();
    const a = watch(queue.take(10_000));
    const b = watch(queue.take(10_000));
    queue.close();
    await flush();
    expect([a.settled, b.settled], '🚨 close must wake the waiting consumers').toEqual([
      true,
      true,
    ]);
    expect([a.value, b.value]).toEqual([null, null]);
    expect(queue.waiting).toBe(0);
    expect(() => queue.push('x'), '🚨 push after close must throw').toThrow(
      expect.objectContaining({ code: 'ERR_QUEUE_CLOSED' }),
    );
    await expect(queue.take(0)).rejects.toMatchObject({ code: 'ERR_QUEUE_CLOSED' });
  });
});
