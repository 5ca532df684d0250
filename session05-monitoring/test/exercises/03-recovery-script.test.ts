import { completedResult } from '@workbook/session03';
import { ReliableTaskQueue, type ReliableTaskQueueOptions } from '@workbook/session05';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recoverExpired } from '#ex/03-recovery-script/recover-expired.ts';

let server: RedisServerHandle;
let redis: Redis;
const opened: ReliableTaskQueue[] = [];
beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url);
});
afterEach(async () => {
  for (const queue of opened.splice(0)) await queue.close();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.[Symbol.asyncDispose]();
});

function open(options: ReliableTaskQueueOptions = {}): ReliableTaskQueue {
  const queue = new ReliableTaskQueue({
    url: server.url,
    name: uniqueName('ex3'),
    leaseMs: 60_000,
    ...options,
  });
  opened.push(queue);
  return queue;
}

const task = (n: number) => ({
  pipeline: { steps: [] },
  input: `in/${n}.png`,
  output: `out/${n}.png`,
});
/** Far enough ahead that every lease taken in the test has expired. */
const later = () => Date.now() + 10 * 60_000;

describe('05.3 recovery script', () => {
  it('an expired lease goes back to the head of pending: it is the next task delivered', async () => {
    const queue = open();
    const [first] = await queue.enqueueMany([1, 2, 3].map(task));
    const held = (await queue.dequeue())!;
    expect(held.id, '🚨 (setup) the queue delivers the oldest task first').toBe(first!.id);
    const result = await recoverExpired(redis, queue.keys, { maxAttempts: 5, now: later() });
    expect(result, '🚨 return { requeued, deadLettered }').toEqual({
      requeued: [held.id],
      deadLettered: [],
    });
    expect(await redis.zscore(queue.keys.leases, held.id), '🚨 ZREM it from leases').toBeNull();
    expect(await redis.hget(queue.keys.task(held.id), 'state'), "🚨 state 'pending'").toBe(
      'pending',
    );
    const next = (await queue.dequeue())!;
    expect(next.id, '🚨 RPUSH: back at the HEAD, delivered before tasks 2 and 3').toBe(held.id);
    expect(next.attempts, '🚨 the task delivered again is on its second attempt').toBe(2);
    expect((await queue.counts()).recovered, "🚨 HINCRBY stats 'recovered'").toBe(1);
  });

  it("the old holder's ack is refused once its task was taken back (fencing)", async () => {
    const queue = open();
    await queue.enqueue(task(1));
    const held = (await queue.dequeue())!;
    await recoverExpired(redis, queue.keys, { maxAttempts: 5, now: later() });
    const output = { path: 'out/1.png', format: 'png', width: 1, height: 1, bytes: 1 };
    const refused = await queue
      .ack(held, completedResult(held, output, { workerId: 'slow', durationMs: 1 }))
      .then(
        () => 'accepted',
        (error: unknown) => error,
      );
    expect(
      refused,
      "🚨 the old holder's ack was accepted after its task was taken back. HDEL the task's lease field: the old token must match nothing (the ack must reject with ERR_LEASE_LOST)",
    ).toMatchObject({ code: 'ERR_LEASE_LOST' });
    expect(
      await queue.result(held.id),
      "🚨 the old holder's refused ack must not store a result",
    ).toBeNull();
  });

  it('leases that have not expired are left alone', async () => {
    const queue = open();
    await queue.enqueueMany([1, 2].map(task));
    await queue.dequeue();
    await queue.dequeue();
    const result = await recoverExpired(redis, queue.keys, { maxAttempts: 5, now: Date.now() });
    expect(result, '🚨 only leases whose deadline is <= now').toEqual({
      requeued: [],
      deadLettered: [],
    });
    expect(
      await queue.counts(),
      '🚨 leases still valid stay in processing: nothing pending',
    ).toMatchObject({ pending: 0, processing: 2 });
  });

  it('a lease due exactly now has expired; one due a millisecond later has not', async () => {
    const queue = open();
    await queue.enqueue(task(1));
    const held = (await queue.dequeue())!;
    const deadline = Number(await redis.zscore(queue.keys.leases, held.id));
    expect(
      await recoverExpired(redis, queue.keys, { maxAttempts: 5, now: deadline - 1 }),
      '🚨 a lease due 1 ms AFTER now is still valid: leave it alone',
    ).toEqual({ requeued: [], deadLettered: [] });
    expect(
      await recoverExpired(redis, queue.keys, { maxAttempts: 5, now: deadline }),
      '🚨 a lease whose deadline is EXACTLY now has expired (deadline <= now): ZRANGEBYSCORE … -inf now is inclusive; "(now" would skip it',
    ).toEqual({ requeued: [held.id], deadLettered: [] });
  });

  it('handles at most `limit` expired leases per call; the next call takes the rest', async () => {
    const queue = open();
    await queue.enqueueMany([1, 2, 3].map(task));
    for (let n = 0; n < 3; n++) await queue.dequeue();
    const now = later();
    const first = await recoverExpired(redis, queue.keys, { maxAttempts: 5, now, limit: 2 });
    expect(
      first.requeued.length,
      `🚨 limit 2: one call handles at most 2 leases (ZRANGEBYSCORE … LIMIT 0 limit), it handled ${first.requeued.length}`,
    ).toBe(2);
    const second = await recoverExpired(redis, queue.keys, { maxAttempts: 5, now, limit: 2 });
    expect(second.requeued.length, '🚨 the next call takes the one expired lease left').toBe(1);
    expect(await queue.counts(), '🚨 all three are pending again').toMatchObject({
      pending: 3,
      processing: 0,
    });
  });

  it('a task whose lease expired on its last attempt goes to the DLQ with ERR_LEASE_EXPIRED_TOO_OFTEN', async () => {
    const queue = open({ maxAttempts: 2 });
    await queue.enqueue(task(1));
    await queue.dequeue();
    expect(
      await recoverExpired(redis, queue.keys, { maxAttempts: 2, now: later() }),
      '🚨 attempt 1 of max 2 expired: requeue it (attempts below maxAttempts)',
    ).toMatchObject({ deadLettered: [] });
    const second = (await queue.dequeue())!;
    expect(second.attempts, '🚨 the requeued task is delivered again, on attempt 2').toBe(2);
    const result = await recoverExpired(redis, queue.keys, { maxAttempts: 2, now: later() });
    expect(result, '🚨 attempts 2 of max 2: dead-letter it').toEqual({
      requeued: [],
      deadLettered: [second.id],
    });
    const page = await queue.dlqList();
    expect(page.entries[0], "🚨 ZADD dlq, state 'dead', deadReason, lastError JSON").toMatchObject({
      task: { id: second.id },
      reason: 'lease-expired',
      error: { code: 'ERR_LEASE_EXPIRED_TOO_OFTEN' },
    });
    expect(
      await queue.counts(),
      "🚨 a dead-lettered task is in the DLQ only, counted in stats 'failed'",
    ).toMatchObject({ pending: 0, processing: 0, dlq: 1, failed: 1 });
  });

  it('many passes at once move each expired task exactly once', async () => {
    const queue = open();
    const stored = await queue.enqueueMany(Array.from({ length: 30 }, (_, n) => task(n)));
    for (let n = 0; n < 30; n++) await queue.dequeue();
    const clients = Array.from({ length: 5 }, () => new Redis(server.url));
    try {
      const now = later();
      const results = await Promise.all(
        clients.flatMap((client) => [
          recoverExpired(client, queue.keys, { maxAttempts: 5, now, limit: 7 }),
          recoverExpired(client, queue.keys, { maxAttempts: 5, now, limit: 7 }),
        ]),
      );
      const requeued = results.flatMap((r) => r.requeued);
      expect(requeued.length, '🚨 no task requeued twice').toBe(new Set(requeued).size);
      expect(new Set(requeued), '🚨 every expired task requeued').toEqual(
        new Set(stored.map((t) => t.id)),
      );
      expect(
        await queue.counts(),
        '🚨 all 30 pending again, each counted once in recovered',
      ).toMatchObject({ pending: 30, processing: 0, recovered: 30 });
    } finally {
      for (const client of clients) client.disconnect();
    }
  });
});
