/**
 * Session 03's TaskQueue contract suite against RedisTaskQueue on a private redis-server: the
 * same cases the in-memory queue passes, with the same semantics (`fail()` is final).
 */

import { taskQueueContract } from '@workbook/session03/testing';
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
  { failIsFinal: true },
);
