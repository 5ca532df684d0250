import { describe, expect, it } from 'vitest';
import { createLimiter } from '#ex/03-batch-concurrency/limiter.ts';

/** Tasks that record how many run at once and take a little while. */
function instrumented(ms = 10) {
  const state = { running: 0, max: 0, order: [] as number[] };
  const task =
    (id: number, fail = false) =>
    async () => {
      state.order.push(id);
      state.running++;
      state.max = Math.max(state.max, state.running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      state.running--;
      if (fail) throw new Error(`task ${id} failed`);
      return id;
    };
  return { state, task };
}

describe('02.3 a concurrency limiter', () => {
  it.each([1, 3, 5])('never runs more than %i at once', async (n) => {
    const { state, task } = instrumented();
    const limit = createLimiter(n);
    await Promise.all(Array.from({ length: 12 }, (_, i) => limit(task(i))));
    expect(
      state.max,
      `🚨 with concurrency ${n}, at most ${n} tasks may run together`,
    ).toBeLessThanOrEqual(n);
  });

  it.each([2, 4])('runs exactly %i at once when enough tasks wait', async (n) => {
    const { state, task } = instrumented();
    const limit = createLimiter(n);
    await Promise.all(Array.from({ length: 10 }, (_, i) => limit(task(i))));
    expect(state.max, `🚨 with 10 tasks waiting, ${n} should run together (not one by one)`).toBe(
      n,
    );
  });

  it('returns each task its own result and starts waiting tasks in order', async () => {
    const { state, task } = instrumented(5);
    const limit = createLimiter(2);
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => limit(task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(state.order, '🚨 waiting tasks start first in, first out').toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('isolates errors: a failing task rejects only its caller and frees its slot', async () => {
    const { state, task } = instrumented(5);
    const limit = createLimiter(2);
    const outcomes = await Promise.allSettled([
      limit(task(0, true)),
      limit(task(1, true)),
      limit(task(2)),
      limit(task(3)),
      limit(() => {
        throw new Error('thrown before any await');
      }),
      limit(task(5)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(state.order, '🚨 failed tasks must free their slots for the rest').toEqual([
      0, 1, 2, 3, 5,
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN, '2'])(
    'rejects concurrency %s with ERR_INVALID_OPTION',
    (value) => {
      let code: string | undefined;
      try {
        createLimiter(value as number);
      } catch (error) {
        code = (error as { code?: string }).code;
      }
      expect(
        code,
        '🚨 throw InvalidOptionError for a concurrency that is not an integer >= 1',
      ).toBe('ERR_INVALID_OPTION');
    },
  );
});
