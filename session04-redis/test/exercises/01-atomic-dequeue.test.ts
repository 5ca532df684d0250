import { queueKeys } from '@workbook/session04';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reliableTake } from '#ex/01-atomic-dequeue/reliable-take.ts';
import { crashAfter } from '../helpers/crash-after.ts';

let server: RedisServerHandle;
let redis: Redis;
beforeAll(async () => {
  server = await testRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.[Symbol.asyncDispose]();
});

/** Resolves with the promise's value, or `'still waiting'` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

describe('04.1 atomic dequeue', () => {
  it('moves the oldest id from pending to processing and returns it', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    await redis.lpush(keys.pending, 'a', 'b', 'c'); // a first, so a is the oldest
    expect(await reliableTake(redis, keys, 1_000), '🚨 take the OLDEST id (the right end)').toBe(
      'a',
    );
    expect(
      await redis.lrange(keys.processing, 0, -1),
      '🚨 the id must now be in processing',
    ).toEqual(['a']);
    expect(await reliableTake(redis, keys, 1_000)).toBe('b');
    expect(await redis.lrange(keys.pending, 0, -1)).toEqual(['c']);
    expect(
      await redis.lrange(keys.processing, 0, -1),
      '🚨 new ids go to the LEFT of processing',
    ).toEqual(['b', 'a']);
  });

  it('timeoutMs 0 returns null at once on an empty list', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    const taken = await within(reliableTake(redis, keys, 0), 3_000);
    expect(
      taken,
      '🚨 timeoutMs 0 must not wait — BLMOVE with timeout 0 blocks FOREVER; use LMOVE',
    ).toBeNull();
    await redis.lpush(keys.pending, 'x');
    expect(
      await reliableTake(redis, keys, 0),
      '🚨 timeoutMs 0 still takes an id that is there',
    ).toBe('x');
  });

  it('waits for an id pushed while it is blocked', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    const producer = new Redis(server.url);
    try {
      setTimeout(() => void producer.lpush(keys.pending, 'late'), 150);
      // A second connection: a blocked BLMOVE holds its connection until it returns.
      const consumer = new Redis(server.url);
      try {
        expect(
          await within(reliableTake(consumer, keys, 5_000), 8_000),
          '🚨 block until an id arrives',
        ).toBe('late');
      } finally {
        consumer.disconnect();
      }
      expect(await redis.lrange(keys.processing, 0, -1)).toEqual(['late']);
    } finally {
      producer.disconnect();
    }
  });

  it('returns null after about timeoutMs when nothing comes', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    const consumer = new Redis(server.url);
    try {
      const started = performance.now();
      const taken = await within(reliableTake(consumer, keys, 300), 5_000);
      expect(taken, '🚨 no id within the timeout gives null').toBeNull();
      expect(
        performance.now() - started,
        '🚨 wait up to timeoutMs (the timeout is in SECONDS for BLMOVE)',
      ).toBeGreaterThanOrEqual(240);
    } finally {
      consumer.disconnect();
    }
  });

  it('a worker that dies right after its first command loses nothing', async () => {
    const keys = queueKeys(uniqueName('ex1'));
    await redis.lpush(keys.pending, 'precious');
    // This client runs one command for real, then "dies": later calls never reach Redis.
    await reliableTake(crashAfter(redis, 1), keys, 1_000).catch(() => null);
    const pending = await redis.lrange(keys.pending, 0, -1);
    const processing = await redis.lrange(keys.processing, 0, -1);
    expect(
      [...pending, ...processing],
      '🚨 the id vanished: it left pending and never reached processing. Two commands are not atomic — move it with ONE command (BLMOVE)',
    ).toContain('precious');
    expect(
      processing,
      '🚨 the first (and only) command must already have moved the id to processing',
    ).toEqual(['precious']);
  });
});
