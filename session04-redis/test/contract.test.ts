/**
 * Session 03's TaskQueue contract suite, unchanged, against RedisTaskQueue on a private
 * redis-server: the same cases the in-memory queue passes.
 */

import { taskQueueContract } from '@workbook/session03/contract';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { afterAll, beforeAll } from 'vitest';
import { RedisTaskQueue } from '../src/index.ts';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

taskQueueContract(
  'redis',
  async () => new RedisTaskQueue({ url: redis.url, name: uniqueName('contract') }),
);
