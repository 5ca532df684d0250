/**
 * ReliableTaskQueue on a private redis-server: leases, fencing (the slow-worker scenario),
 * retries with backoff, the dead letter queue and the recovery step. Waits are bounded polling;
 * leases are made short through options so nothing waits for production defaults.
 */
import { RedisTaskQueue } from '@workbook/session04';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reliableKeys, WorkerRegistry } from '../src/index.ts';
import { expireLeases } from '../src/testing/index.ts';
import { done, failed, newTask, queueFactory, sleep } from './helpers.ts';

let redis: RedisServerHandle;
let direct: Redis;
const queues = queueFactory(() => redis);

beforeAll(async () => {
  redis = await testRedis();
  direct = new Redis(redis.url);
});
afterEach(() => queues.closeAll());

afterAll(async () => {
  direct?.disconnect();
  await redis?.[Symbol.asyncDispose]();
});

describe('leases', () => {
  it('a delivered task has an owner, a token and a deadline; it is in leases, not in a list', async () => {
    const queue = queues.open({ owner: 'worker-a', leaseMs: 5_000 });
    const stored = await queue.enqueue(newTask(1));
    const before = Date.now();
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(task.id).toBe(stored.id);
    expect(task.lease).toMatch(/^1-[0-9a-f]{12}$/);
    const deadline = Number(await direct.zscore(queue.keys.leases, task.id));
    expect(deadline).toBeGreaterThanOrEqual(before + 5_000 - 50);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 5_000 + 50);
    expect(await direct.hmget(queue.keys.task(task.id), 'state', 'owner', 'lease')).toEqual([
      'processing',
      'worker-a',
      task.lease,
    ]);
    expect(await direct.llen(queue.keys.pending)).toBe(0);
    expect(queue.held().map((h) => h.task.id)).toEqual([task.id]);
    expect(await queue.counts()).toMatchObject({ pending: 0, processing: 1 });
  });

  it('extendLeases pushes every held deadline forward in one call and reports none lost', async () => {
    const queue = queues.open({ leaseMs: 60_000 });
    await queue.enqueueMany([1, 2, 3].map(newTask));
    const tasks = [];
    for (let n = 0; n < 3; n++) tasks.push((await queue.dequeue({ timeoutMs: 1_000 }))!);
    const recoverer = queues.open({ name: queue.name });
    // Three times: every deadline is past (as after a lease period without a heartbeat, set
    // directly so no wall-clock race decides it), one extension moves them all a lease ahead,
    // and recovery finds none expired.
    for (let round = 0; round < 3; round++) {
      const { now } = await expireLeases(
        direct,
        queue.keys.leases,
        tasks.map((t) => t.id),
      );
      expect(await queue.extendLeases()).toEqual([]);
      const deadlines = await Promise.all(
        tasks.map(async (t) => Number(await direct.zscore(queue.keys.leases, t.id))),
      );
      for (const deadline of deadlines) expect(deadline).toBeGreaterThanOrEqual(now + 60_000);
      expect((await recoverer.recover()).requeued).toEqual([]);
    }
    expect(await queue.counts()).toMatchObject({ pending: 0, processing: 3 });
  });

  it('a lease that is not extended expires and recovery puts the task back at the head', async () => {
    const queue = queues.open({ leaseMs: 100 });
    const [first] = await queue.enqueueMany([1, 2].map(newTask));
    const held = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(held.id).toBe(first!.id);
    const recoverer = queues.open({ name: queue.name });
    await waitFor(async () => (await recoverer.recover()).requeued.includes(held.id));
    expect(await direct.hget(queue.keys.task(held.id), 'state')).toBe('pending');
    expect(await direct.hget(queue.keys.task(held.id), 'lease')).toBeNull();
    // Back at the head: delivered before task 2, with the attempt counted and a new token.
    const again = (await recoverer.dequeue({ timeoutMs: 1_000 }))!;
    expect(again.id).toBe(held.id);
    expect(again.attempts).toBe(2);
    expect(again.lease).toMatch(/^2-/);
    expect((await queue.counts()).recovered).toBe(1);
    // The first holder learns it lost the lease on its next extension.
    expect(await queue.extendLeases()).toEqual([held.id]);
    expect(queue.held()).toEqual([]);
  });
});

describe('fencing: the slow worker cannot overwrite the result of the one that took over', () => {
  it('A stalls, its lease expires, B takes over and acks; A cannot ack or fail any more', async () => {
    const a = queues.open({ owner: 'slow-a', leaseMs: 100 });
    const b = queues.open({ owner: 'fast-b', leaseMs: 10_000, name: a.name });
    await a.enqueue(newTask(1));
    const taskA = (await a.dequeue({ timeoutMs: 1_000 }))!;
    // A stalls (no lease extension); recovery (run by B's process) takes the task back.
    await waitFor(async () => (await b.recover()).requeued.includes(taskA.id));
    const taskB = (await b.dequeue({ timeoutMs: 1_000 }))!;
    expect(taskB.id).toBe(taskA.id);
    expect(taskB.lease).not.toBe(taskA.lease);

    // A wakes up while B works: refused, and nothing of A's is stored.
    await expect(a.ack(taskA, done(taskA, 'slow-a'))).rejects.toMatchObject({
      code: 'ERR_LEASE_LOST',
    });
    await expect(a.fail(taskA, failed(taskA, 'ERR_UNEXPECTED', 'slow-a'))).rejects.toMatchObject({
      code: 'ERR_LEASE_LOST',
    });
    expect(await b.result(taskA.id)).toBeNull();
    expect(await b.counts()).toMatchObject({ processing: 1, delayed: 0, dlq: 0, completed: 0 });

    await b.ack(taskB, done(taskB, 'fast-b'));
    // A tries again after B finished: still refused, B's result stays.
    await expect(a.ack(taskA, done(taskA, 'slow-a'))).rejects.toMatchObject({
      code: 'ERR_LEASE_LOST',
    });
    const result = (await b.result(taskA.id))!;
    expect(result.workerId).toBe('fast-b');
    expect(result.attempt).toBe(2);
    expect(await b.counts()).toMatchObject({ completed: 1, processing: 0, pending: 0 });
  });

  it('a second ack by the same holder is ERR_TASK_NOT_PROCESSING; a resent call is accepted once', async () => {
    const queue = queues.open();
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    const keys = queue.keys;
    // The same call sent twice (what ioredis does when a reply is lost to a dropped connection).
    const send = () =>
      (
        queue.connection as unknown as { rqComplete: (...args: unknown[]) => Promise<number[]> }
      ).rqComplete(
        keys.leases,
        keys.task(task.id),
        keys.result(task.id),
        keys.stats,
        task.id,
        task.lease,
        'call-1',
        JSON.stringify(done(task)),
        '60000',
        '60000',
      );
    expect(await send()).toEqual([1]);
    expect(await send()).toEqual([1]);
    expect((await queue.counts()).completed).toBe(1);
    await expect(queue.ack(task, done(task))).rejects.toMatchObject({
      code: 'ERR_TASK_NOT_PROCESSING',
    });
  });
});

describe('retries and the dead letter queue', () => {
  it('a retryable failure waits in delayed for its backoff, then is delivered again', async () => {
    const queue = queues.open({
      backoff: { baseMs: 400, jitter: 'equal' },
      random: () => 0.5,
      maxAttempts: 3,
    });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    const outcome = await queue.failAttempt(task, failed(task, 'ERR_FLAKY'));
    // attempt 1: ceiling 400 ms, equal jitter with random 0.5 → 200 + 100
    expect(outcome).toMatchObject({ outcome: 'retry', delayMs: 300 });
    expect(await direct.hget(queue.keys.task(task.id), 'state')).toBe('delayed');
    expect(await queue.counts()).toMatchObject({
      pending: 0,
      processing: 0,
      delayed: 1,
      retried: 1,
    });
    expect(await queue.result(task.id)).toBeNull();
    expect(await queue.dequeue(), 'not due yet').toBeNull();
    // A blocked consumer is woken when the retry falls due, without any enqueue.
    const again = (await queue.dequeue({ timeoutMs: 5_000 }))!;
    expect(again.id).toBe(task.id);
    expect(again.attempts).toBe(2);
    expect(Date.now()).toBeGreaterThanOrEqual((outcome as { dueAt: number }).dueAt - 5);
    const record = (await queue.inspect(task.id))!;
    expect(record.lastError?.code).toBe('ERR_FLAKY');
  });

  it('a non-retryable code goes to the DLQ on the first attempt, with its result', async () => {
    const queue = queues.open({ maxAttempts: 5 });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(await queue.failAttempt(task, failed(task, 'ERR_IMAGE_CORRUPT', 'w1'))).toEqual({
      outcome: 'dead',
      reason: 'non-retryable',
    });
    const page = await queue.dlqList();
    expect(page.total).toBe(1);
    const [entry] = page.entries;
    expect(entry).toMatchObject({
      reason: 'non-retryable',
      attempts: 1,
      lastWorker: 'w1',
      error: { code: 'ERR_IMAGE_CORRUPT', message: 'it failed with ERR_IMAGE_CORRUPT' },
      task: { id: task.id, input: task.input, output: task.output },
    });
    expect(entry!.firstFailedAt).toBe(entry!.lastFailedAt);
    expect((await queue.result(task.id))?.status).toBe('failed');
    expect(await queue.stats()).toEqual({ pending: 0, processing: 0, completed: 0, failed: 1 });
  });

  it('a retryable failure on the last attempt goes to the DLQ as attempts-exhausted', async () => {
    const queue = queues.open({ maxAttempts: 2, backoff: { baseMs: 0 } });
    await queue.enqueue(newTask(1));
    const first = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect((await queue.failAttempt(first, failed(first, 'ERR_TIMEOUT'))).outcome).toBe('retry');
    const second = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(second.attempts).toBe(2);
    expect(await queue.failAttempt(second, failed(second, 'ERR_TIMEOUT'))).toEqual({
      outcome: 'dead',
      reason: 'attempts-exhausted',
    });
    const [entry] = (await queue.dlqList()).entries;
    expect(entry).toMatchObject({ reason: 'attempts-exhausted', attempts: 2 });
    expect(entry!.firstFailedAt!).toBeLessThanOrEqual(entry!.lastFailedAt!);
  });

  it('a lease that expires on the last attempt sends the task to the DLQ with ERR_LEASE_EXPIRED_TOO_OFTEN', async () => {
    const queue = queues.open({ maxAttempts: 1, leaseMs: 50, owner: 'doomed' });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    const report = await waitFor(async () => {
      const r = await queue.recover();
      return r.deadLettered.length > 0 ? r : null;
    });
    expect(report.deadLettered).toEqual([task.id]);
    const [entry] = (await queue.dlqList()).entries;
    expect(entry).toMatchObject({
      reason: 'lease-expired',
      lastWorker: 'doomed',
      error: { code: 'ERR_LEASE_EXPIRED_TOO_OFTEN' },
    });
    expect((await queue.result(task.id))?.error?.code).toBe('ERR_LEASE_EXPIRED_TOO_OFTEN');
    expect(await queue.stats()).toEqual({ pending: 0, processing: 0, completed: 0, failed: 1 });
  });

  it('tasks dead-lettered in the same millisecond are listed in the order they died', async () => {
    const queue = queues.open();
    // Ids that sort the other way round: equal scores would list them backwards.
    const ids = Array.from({ length: 20 }, (_, n) => `t-${String(99 - n).padStart(2, '0')}`);
    await queue.enqueueMany(ids.map((id, n) => ({ ...newTask(n), id })));
    const delivered = [];
    for (const _ of ids) delivered.push((await queue.dequeue({ timeoutMs: 1_000 }))!);
    expect(delivered.map((t) => t.id)).toEqual(ids);
    // Sent back to back on one connection: Redis runs them in this order, mostly in one ms.
    await Promise.all(delivered.map((task) => queue.fail(task, failed(task, 'ERR_NOT_AN_IMAGE'))));
    const page = await queue.dlqList({ limit: 20 });
    expect(page.entries.map((e) => e.task.id)).toEqual(ids);
    expect(page.entries.every((e) => Number.isInteger(e.deadAt))).toBe(true);
  });

  it('lists with paging, retries one or all (attempts reset or kept), and purges', async () => {
    const queue = queues.open({ maxAttempts: 3 });
    const tasks = await queue.enqueueMany([1, 2, 3, 4, 5].map(newTask));
    for (let n = 0; n < 5; n++) {
      const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
      await queue.fail(task, failed(task, 'ERR_NOT_AN_IMAGE'));
    }
    const ids = tasks.map((t) => t.id);
    const page1 = await queue.dlqList({ offset: 0, limit: 2 });
    const page2 = await queue.dlqList({ offset: 2, limit: 2 });
    const page3 = await queue.dlqList({ offset: 4, limit: 2 });
    expect(page1.total).toBe(5);
    expect([...page1.entries, ...page2.entries, ...page3.entries].map((e) => e.task.id)).toEqual(
      ids,
    );

    expect(await queue.dlqRetry([ids[0]!, 'no-such-id'])).toEqual({
      retried: [ids[0]],
      missing: ['no-such-id'],
    });
    expect(await direct.hget(queue.keys.task(ids[0]!), 'attempts')).toBe('0');
    expect(await queue.result(ids[0]!), 'the failed result is not final any more').toBeNull();
    expect(await queue.dlqRetry([ids[1]!], { keepAttempts: true })).toMatchObject({
      retried: [ids[1]],
    });
    expect(await direct.hget(queue.keys.task(ids[1]!), 'attempts')).toBe('1');
    expect(await queue.counts()).toMatchObject({ pending: 2, dlq: 3 });
    const redo = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(redo.id).toBe(ids[0]);
    expect(redo.attempts).toBe(1);

    expect(await queue.dlqPurge({ olderThanMs: 60_000 }), 'none is a minute old').toBe(0);
    expect((await queue.dlqRetry('all')).retried).toEqual(ids.slice(2));
    for (let n = 0; n < 4; n++) {
      const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
      await queue.fail(task, failed(task, 'ERR_NOT_AN_IMAGE'));
    }
    expect(await queue.dlqPurge()).toBe(4);
    expect(await queue.counts()).toMatchObject({ dlq: 0, pending: 0 });
    expect(await direct.exists(queue.keys.task(ids[2]!))).toBe(0);
  });
});

describe('recovery', () => {
  it('reclaims the leases of a dead worker before they expire, and reaps it once', async () => {
    const registry = new WorkerRegistry({
      url: redis.url,
      name: uniqueName('q'),
      heartbeatTtlMs: 150,
    });
    const queue = queues.open({ name: registry.name, owner: 'short-lived', leaseMs: 60_000 });
    await registry.register({ id: 'short-lived', concurrency: 1 });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    const observer = queues.open({ name: registry.name });
    // The worker stops heartbeating: its key expires after 150 ms, its 60 s lease is reclaimed.
    const report = await waitFor(async () => {
      const r = await observer.recover();
      return r.reapedWorkers.length > 0 ? r : null;
    });
    expect(report).toMatchObject({ requeued: [task.id], reapedWorkers: ['short-lived'] });
    expect(await direct.hget(queue.keys.task(task.id), 'recoveredWhy')).toBe('owner dead');
    expect((await observer.recover()).reapedWorkers, 'reaped once').toEqual([]);
    expect((await registry.list())[0]).toMatchObject({ id: 'short-lived', alive: false });
    await registry.close();
  });

  it('many recoveries at once move each expired task exactly once', async () => {
    const holder = queues.open({ leaseMs: 50 });
    const stored = await holder.enqueueMany(Array.from({ length: 40 }, (_, n) => newTask(n)));
    for (let n = 0; n < 40; n++) await holder.dequeue({ timeoutMs: 1_000 });
    await waitFor(async () => {
      const leases = await direct.zrangebyscore(holder.keys.leases, '-inf', String(Date.now()));
      return leases.length === 40;
    });
    const recoverers = Array.from({ length: 5 }, () => queues.open({ name: holder.name }));
    const reports = await Promise.all(recoverers.flatMap((r) => [r.recover(), r.recover()]));
    const requeued = reports.flatMap((r) => r.requeued);
    expect(requeued.sort()).toEqual(stored.map((t) => t.id).sort());
    const pending = await direct.lrange(holder.keys.pending, 0, -1);
    expect(new Set(pending).size).toBe(40);
    expect(pending).toHaveLength(40);
    expect(await holder.counts()).toMatchObject({ pending: 40, processing: 0, recovered: 40 });
  });

  it('release hands held tasks back to the head without counting the attempt', async () => {
    const queue = queues.open();
    const stored = await queue.enqueueMany([1, 2, 3].map(newTask));
    const a = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    const b = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(await queue.release()).toEqual([a.id, b.id]);
    expect(queue.held()).toEqual([]);
    expect(await queue.counts()).toMatchObject({ pending: 3, processing: 0, released: 2 });
    const next = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect([a.id, b.id]).toContain(next.id);
    expect(next.attempts, 'a released task keeps its attempt').toBe(1);
    // A stale task object (its lease ended) is not released again.
    expect(await queue.release([a.id === next.id ? b : a])).toEqual([]);
    expect(stored).toHaveLength(3);
  });
});

describe('prefetch', () => {
  it('takes several tasks in one call, all leased and extended; close hands back the unstarted ones', async () => {
    const queue = queues.open({ prefetch: 3, leaseMs: 60_000 });
    const stored = await queue.enqueueMany([1, 2, 3, 4].map(newTask));
    const first = (await queue.dequeue())!;
    expect(first.id).toBe(stored[0]!.id);
    expect(await queue.counts(), 'three leased at once').toMatchObject({
      pending: 1,
      processing: 3,
    });
    expect(
      queue.held().map((h) => h.task.id),
      'only handed-out tasks count as running',
    ).toEqual([first.id]);
    // The prefetched ones are kept alive by the same extension as the running one.
    // Deadlines past (set directly, no wall-clock race), one extension, recovery finds none.
    const recoverer = queues.open({ name: queue.name });
    const leased = stored.slice(0, 3);
    await expireLeases(
      direct,
      queue.keys.leases,
      leased.map((t) => t.id),
    );
    expect(await queue.extendLeases()).toEqual([]);
    expect((await recoverer.recover()).requeued).toEqual([]);
    const second = (await queue.dequeue())!;
    expect(second.id, 'served from the buffer, in order').toBe(stored[1]!.id);
    await queue.ack(first, done(first));
    await queue.close();
    const after = queues.open({ name: queue.name });
    expect(
      await after.counts(),
      'the unstarted third goes back; the started second stays leased',
    ).toMatchObject({
      pending: 2,
      processing: 1,
      released: 1,
    });
    expect((await after.inspect(stored[2]!.id))?.task.attempts, 'attempt not counted').toBe(0);
  });
});

describe('compatibility and counts', () => {
  it("delivers tasks queued by session 04's RedisTaskQueue (same layout), also to a blocked consumer", async () => {
    const name = uniqueName('q');
    const old = new RedisTaskQueue({ url: redis.url, name });
    try {
      const queue = queues.open({ name });
      const [one] = await old.enqueueMany([newTask(1)]);
      expect((await queue.dequeue())?.id).toBe(one!.id);
      // Session 04 rings no doorbell: a blocked consumer is woken by the next recovery pass.
      const waiting = queue.dequeue({ timeoutMs: 10_000 });
      await sleep(100);
      const two = await old.enqueue(newTask(2));
      await queues.open({ name }).recover();
      expect((await waiting)?.id).toBe(two.id);
    } finally {
      await old.close();
    }
  });

  it('counts() reports every depth and counter in one snapshot', async () => {
    const queue = queues.open({ maxAttempts: 2, backoff: { baseMs: 60_000 } });
    await queue.enqueueMany([1, 2, 3, 4, 5].map(newTask));
    const t1 = (await queue.dequeue())!;
    const t2 = (await queue.dequeue())!;
    const t3 = (await queue.dequeue())!;
    await queue.dequeue();
    await queue.ack(t1, done(t1));
    await queue.fail(t2, failed(t2, 'ERR_FLAKY'));
    await queue.fail(t3, failed(t3, 'ERR_NOT_AN_IMAGE'));
    expect(await queue.counts()).toEqual({
      pending: 1,
      processing: 1,
      delayed: 1,
      dlq: 1,
      completed: 1,
      failed: 1,
      enqueued: 5,
      retried: 1,
      recovered: 0,
      released: 0,
    });
  });

  it('keys: every key of the queue shares the hash tag', () => {
    const keys = reliableKeys('images');
    for (const key of [
      keys.leases,
      keys.delayed,
      keys.dlq,
      keys.signal,
      keys.workers,
      keys.alive('w'),
    ]) {
      expect(key.startsWith('imgq:{images}:')).toBe(true);
    }
    expect(() => reliableKeys('bad name')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
  });
});
