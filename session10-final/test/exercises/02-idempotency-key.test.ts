import type { IdempotencyStore } from '@workbook/session10';
import { describe, expect, it } from 'vitest';
import { idempotent } from '#ex/02-idempotency-key/idempotency.ts';

function memoryStore(): IdempotencyStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    async setIfAbsent(key, value) {
      if (data.has(key)) return false;
      data.set(key, value);
      return true;
    },
    get: async (key) => data.get(key) ?? null,
    async set(key, value) {
      data.set(key, value);
    },
    async delete(key) {
      data.delete(key);
    },
  };
}

/**
 * What `promise` rejects with — or `{ resolved: value }` when it resolves — so that a failing
 * `expect(await rejection(...), '🚨 ...')` shows the student its 🚨 message.
 */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => error,
  );
}

describe('10.2 Idempotency-Key', () => {
  it('without a key every call runs', async () => {
    const store = memoryStore();
    let runs = 0;
    const run = async () => ++runs;
    expect(await idempotent(store, undefined, 'f', run), '🚨 no key: just run').toEqual({
      value: 1,
      replayed: false,
    });
    expect(await idempotent(store, undefined, 'f', run), '🚨 no key: run again').toEqual({
      value: 2,
      replayed: false,
    });
  });

  it('the same key and request run once; the retry gets the same value, replayed', async () => {
    const store = memoryStore();
    let runs = 0;
    const run = async () => ({ ids: [`job-${++runs}`] });
    const first = await idempotent(store, 'order-1', 'f1', run);
    const retry = await idempotent(store, 'order-1', 'f1', run);
    expect(first, '🚨 the first call runs').toEqual({ value: { ids: ['job-1'] }, replayed: false });
    expect(retry, '🚨 the retry returns the first answer, replayed: true').toEqual({
      value: { ids: ['job-1'] },
      replayed: true,
    });
    expect(runs, '🚨 the work ran once').toBe(1);
  });

  it('the same key with a different request is refused with 422 ERR_IDEMPOTENCY_KEY_REUSED', async () => {
    const store = memoryStore();
    await idempotent(store, 'order-2', 'images-A', async () => 'A');
    expect(
      await rejection(idempotent(store, 'order-2', 'images-B', async () => 'B')),
      '🚨 another request under the same key must be refused, not replayed',
    ).toMatchObject({ status: 422, code: 'ERR_IDEMPOTENCY_KEY_REUSED' });
  });

  it('while the first request runs, a retry is 409 ERR_IDEMPOTENCY_IN_PROGRESS', async () => {
    const store = memoryStore();
    let release!: () => void;
    const first = idempotent(
      store,
      'order-3',
      'f',
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('done');
        }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      await rejection(idempotent(store, 'order-3', 'f', async () => 'again')),
      '🚨 a retry during the first run: 409',
    ).toMatchObject({ status: 409, code: 'ERR_IDEMPOTENCY_IN_PROGRESS' });
    release();
    expect((await first).value, '🚨 the first run still finishes').toBe('done');
  });

  it('a claim that expires between the claim and the read is claimed again and runs', async () => {
    const store = memoryStore();
    // The first request's replica died mid-run: its claim holds until its ttl runs out.
    void idempotent(store, 'order-5', 'f', () => new Promise<string>(() => {}));
    await new Promise((resolve) => setImmediate(resolve));
    // The retry finds the key taken, and by the time it reads the record the claim expired.
    const expiring: IdempotencyStore = {
      ...store,
      async get(key) {
        store.data.delete(key);
        return store.get(key);
      },
    };
    expect(
      await idempotent(expiring, 'order-5', 'f', async () => 'retry').catch((error: unknown) => ({
        rejected: error,
      })),
      '🚨 the key was taken but its record is gone (the claim expired): try to claim it again and run, do not read a missing record',
    ).toEqual({ value: 'retry', replayed: false });
  });

  it('a failed run frees the key; a malformed key is 400', async () => {
    const store = memoryStore();
    await expect(
      idempotent(store, 'order-4', 'f', async () => {
        throw Object.assign(new Error('redis down'), { code: 'ERR_X' });
      }),
    ).rejects.toMatchObject({ code: 'ERR_X' });
    expect(
      await idempotent(store, 'order-4', 'f', async () => 'ok').catch((error: unknown) => ({
        rejected: error,
      })),
      '🚨 after a failure the same key can run again',
    ).toEqual({ value: 'ok', replayed: false });
    expect(
      await rejection(idempotent(store, 'has space', 'f', async () => 1)),
      '🚨 a key with a space is malformed: 400',
    ).toMatchObject({ status: 400, code: 'ERR_INVALID_IDEMPOTENCY_KEY' });
  });
});
