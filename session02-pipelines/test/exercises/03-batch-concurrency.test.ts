import { describeValue } from '@workbook/session01';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '#ex/03-batch-concurrency/limiter.ts';
import { outcomeOf } from '../check-helpers.ts';

/**
 * Lets every pending promise callback and timer-free continuation run: a limiter starts the
 * next task within a few turns of the event loop once a slot frees. A bounded number of turns,
 * not a clock: a limiter that never starts it fails here at once instead of hanging the test.
 */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

type Plan = 'ok' | 'fail' | 'throw';

/**
 * Tasks the test finishes by hand, one at a time, through a limiter: it records which tasks
 * started, in which order, how many ran together, and how each caller's promise settled.
 */
function rig(concurrency: number) {
  const limit = createLimiter(concurrency);
  const started: number[] = [];
  const running = new Map<number, () => void>();
  const outcomes = new Map<number, { status: 'fulfilled' | 'rejected'; value: unknown }>();
  let submitted = 0;
  let max = 0;

  const submit = (id: number, plan: Plan = 'ok') => {
    submitted++;
    const task = (): Promise<number> => {
      started.push(id);
      if (plan === 'throw') throw new Error(`task ${id} threw before any await`);
      return new Promise<number>((resolve, reject) => {
        running.set(id, () => {
          running.delete(id);
          if (plan === 'fail') reject(new Error(`task ${id} failed`));
          else resolve(id * 10);
        });
        max = Math.max(max, running.size);
      });
    };
    limit(task).then(
      (value) => outcomes.set(id, { status: 'fulfilled', value }),
      (error: Error) => outcomes.set(id, { status: 'rejected', value: error.message }),
    );
  };

  /** Finishes the running tasks one by one (oldest first) until every caller has its outcome. */
  const drain = async (what: string) => {
    for (let step = 0; step <= submitted; step++) {
      await settle();
      if (outcomes.size === submitted) return;
      const oldest = running.values().next().value;
      if (!oldest) {
        const waiting = submitted - started.length;
        const settled = [...outcomes].map(([id, o]) => `${id} ${o.status}`).join(', ');
        expect.fail(
          `🚨 ${what}: ${waiting} task(s) wait but none runs — a task that finished or failed must free its slot and start the next waiting one (started so far: ${started.join(', ') || 'none'}; settled: ${settled || 'none'})`,
        );
      }
      oldest();
    }
  };

  return {
    submit,
    drain,
    started,
    outcomes,
    get running() {
      return running.size;
    },
    get max() {
      return max;
    },
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('02.3 a concurrency limiter', () => {
  it.each([1, 3, 5])('never runs more than %i at once', async (n) => {
    const r = rig(n);
    for (const id of ids(12)) r.submit(id);
    await r.drain(`12 tasks with concurrency ${n}`);
    expect(
      r.max,
      `🚨 with concurrency ${n}, at most ${n} tasks may run together, but ${r.max} ran at once: a slot is free only while active < ${n}`,
    ).toBeLessThanOrEqual(n);
  });

  it.each([2, 4])('starts exactly %i at once when enough tasks wait', async (n) => {
    const r = rig(n);
    for (const id of ids(10)) r.submit(id);
    await settle();
    expect(
      r.running,
      `🚨 with 10 tasks submitted and concurrency ${n}, ${n} must start right away (not one by one, not more); ${r.running} started`,
    ).toBe(n);
    await r.drain(`10 tasks with concurrency ${n}`);
  });

  it("gives a finished task's slot to the next waiting task at once", async () => {
    const r = rig(2);
    for (const id of ids(5)) r.submit(id);
    await settle();
    expect([...r.started], '🚨 with concurrency 2, tasks 0 and 1 start first').toEqual([0, 1]);
    await r.drain('5 tasks with concurrency 2');
    expect(
      [...r.started].sort((a, b) => a - b),
      `🚨 each time a task finishes, the next waiting one starts: all 5 must have run; started ${r.started.join(', ')}`,
    ).toEqual([0, 1, 2, 3, 4]);
  });

  it('returns each task its own result and starts waiting tasks in order (FIFO)', async () => {
    const r = rig(2);
    for (const id of ids(6)) r.submit(id);
    await r.drain('6 tasks with concurrency 2');
    expect(
      [...r.started],
      `🚨 waiting tasks start first in, first out (0, 1, 2, 3, 4, 5); yours started ${r.started.join(', ')}`,
    ).toEqual([0, 1, 2, 3, 4, 5]);
    const values = ids(6).map((id) => r.outcomes.get(id)?.value);
    expect(
      values,
      `🚨 each caller gets its own task's result (task i returns i × 10); got ${values.join(', ')}`,
    ).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it('isolates errors: a failing task rejects only its caller and frees its slot', async () => {
    const r = rig(2);
    r.submit(0, 'fail');
    r.submit(1, 'fail');
    r.submit(2);
    r.submit(3, 'fail');
    r.submit(4);
    await r.drain('failing tasks');
    const statuses = ids(5).map((id) => r.outcomes.get(id)?.status);
    expect(
      statuses,
      `🚨 failing tasks reject their own caller only: expected rejected, rejected, fulfilled, rejected, fulfilled; got ${statuses.join(', ')}`,
    ).toEqual(['rejected', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(r.outcomes.get(1)?.value, "🚨 a failing task's caller gets that task's own error").toBe(
      'task 1 failed',
    );
  });

  it('a task that throws before any await rejects its caller and frees its slot', async () => {
    const r = rig(1);
    r.submit(0, 'throw');
    r.submit(1);
    await r.drain('a task that throws synchronously');
    expect(
      r.outcomes.get(0),
      "🚨 a task that throws synchronously must reject its caller's promise with that error",
    ).toEqual({ status: 'rejected', value: 'task 0 threw before any await' });
    expect(r.outcomes.get(1)?.status, '🚨 the next task runs and succeeds').toBe('fulfilled');
  });

  it('serves a second wave after the first one finished (every slot came back)', async () => {
    const r = rig(3);
    for (const id of ids(6)) r.submit(id);
    await r.drain('first wave of 6 tasks with concurrency 3');
    for (const id of ids(6)) r.submit(100 + id);
    await settle();
    expect(
      r.running,
      `🚨 second wave: after the first 6 tasks all finished, all 3 slots must be free again, so 3 of the next 6 start at once; ${r.running} started — does a finished task give its slot back (active−1)?`,
    ).toBe(3);
    await r.drain('second wave of 6 tasks with concurrency 3');
    expect(r.max, '🚨 the second wave runs at most 3 at once too').toBe(3);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2'])(
    'rejects concurrency %s with ERR_INVALID_OPTION',
    (value) => {
      const outcome = outcomeOf(() => createLimiter(value as number));
      const shown = typeof value === 'string' ? `'${value}' (a string)` : String(value);
      expect(
        outcome.code,
        `🚨 concurrency ${shown} is not an integer >= 1: throw an InvalidOptionError (ERR_INVALID_OPTION); your code ${outcome.said}`,
      ).toBe('ERR_INVALID_OPTION');
      const received = describeValue(value);
      expect(
        outcome.message.includes('concurrency') && outcome.message.includes(received),
        `🚨 the message must name \`concurrency\` and show the value received as describeValue() prints it (${received}), so the caller sees what was wrong: "${outcome.message}"`,
      ).toBe(true);
    },
  );
});
