/**
 * Session 03's TaskQueue contract suite against ReliableTaskQueue on a private redis-server,
 * with the reliable queue's own `fail()` semantics: a retryable failure comes back with
 * `attempts + 1` (short backoff here so the contract's wait is brief), the last of `maxAttempts`
 * failures is final (dead-lettered, counted failed), and a non-retryable code is final at once.
 * Leases, fencing and the DLQ beyond that are tested in reliable-task-queue.test.ts.
 */
import { taskQueueContract } from '@workbook/session03/testing';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { afterAll, beforeAll } from 'vitest';
import { ReliableTaskQueue } from '../src/index.ts';

const MAX_ATTEMPTS = 3;

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

taskQueueContract(
  'reliable (leases, retries)',
  async () =>
    new ReliableTaskQueue({
      url: redis.url,
      name: uniqueName('contract'),
      maxAttempts: MAX_ATTEMPTS,
      backoff: { baseMs: 20, maxMs: 100 },
    }),
  { failIsFinal: false, maxAttempts: MAX_ATTEMPTS, nonRetryableCode: 'ERR_FILE_NOT_FOUND' },
);
