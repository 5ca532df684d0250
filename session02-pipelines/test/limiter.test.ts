import { describe, expect, it } from 'vitest';
import { createLimiter } from '../src/limiter.ts';

/** A task that can be finished from outside, to control exactly what is in flight. */
function deferred() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it('runs exactly N at once under load, starts waiting tasks in order', async () => {
    const limit = createLimiter(3);
    const tasks = Array.from({ length: 8 }, () => deferred());
    const started: number[] = [];
    const results = tasks.map((task, i) =>
      limit(async () => {
        started.push(i);
        await task.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([3, 5]);
    tasks[1]!.finish();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const task of tasks) task.finish();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
  });

  it('frees the slot of a failed task and passes the error on', async () => {
    const limit = createLimiter(1);
    const failing = limit(async () => {
      throw new Error('boom');
    });
    const sync = limit(() => {
      throw new Error('sync boom');
    });
    const next = limit(async () => 'still runs');
    await expect(failing).rejects.toThrow('boom');
    await expect(sync).rejects.toThrow('sync boom');
    expect(await next).toBe('still runs');
  });

  it.each([0, -1, 1.5, Number.NaN, '2'])('rejects concurrency %s', (value) => {
    expect(() => createLimiter(value as number)).toThrow(/integer >= 1/);
  });
});
