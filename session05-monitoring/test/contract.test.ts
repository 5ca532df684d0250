/**
 * Session 03's TaskQueue contract suite, unchanged, against ReliableTaskQueue on a private
 * redis-server.
 *
 * The contract's `fail()` is final ("failed for good": the stats case expects `failed: 1` right
 * after failing a task with a plain Error). A reliable queue keeps that meaning when it is
 * configured with `maxAttempts: 1` — every failure goes to the dead letter queue at once — so
 * that is the configuration the contract runs with. Retries (maxAttempts > 1) are session 05's
 * own behaviour, tested in reliable-task-queue.test.ts.
 */
import { taskQueueContract } from '@workbook/session03/contract';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { afterAll, beforeAll } from 'vitest';
import { ReliableTaskQueue } from '../src/index.ts';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

taskQueueContract(
  'reliable (leases, maxAttempts 1)',
  async () =>
    new ReliableTaskQueue({ url: redis.url, name: uniqueName('contract'), maxAttempts: 1 }),
);
