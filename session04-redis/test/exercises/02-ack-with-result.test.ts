import { queueKeys } from '@workbook/session04';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ackWithResult } from '#ex/02-ack-with-result/ack-with-result.ts';
import { crashAfterFirstChange } from '../helpers/crash-after.ts';

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

const result = (id: string) => JSON.stringify({ taskId: id, status: 'completed' });

describe('04.2 ack with result', () => {
  it('removes the id from processing and stores the result', async () => {
    const keys = queueKeys(uniqueName('ex2'));
    await redis.lpush(keys.processing, 'other', 't1');
    expect(
      await ackWithResult(redis, keys, 't1', result('t1'), 60_000),
      '🚨 an ack of a processing task returns true',
    ).toBe(true);
    expect(
      await redis.lrange(keys.processing, 0, -1),
      '🚨 remove exactly that id from processing',
    ).toEqual(['other']);
    expect(await redis.get(keys.result('t1')), '🚨 store the result JSON at keys.result(id)').toBe(
      result('t1'),
    );
  });

  it('stores the result with its TTL, so results do not pile up forever', async () => {
    const keys = queueKeys(uniqueName('ex2'));
    await redis.lpush(keys.processing, 't1');
    await ackWithResult(redis, keys, 't1', result('t1'), 5_000);
    const ttl = await redis.pttl(keys.result('t1'));
    expect(
      ttl,
      '🚨 the result needs an expiry (SET ... PX ms); -1 means it never expires',
    ).toBeGreaterThan(0);
    expect(
      ttl,
      `🚨 the TTL is in milliseconds (SET ... PX ms): asked for 5000 ms, the key lives ${ttl} ms (EX would take seconds)`,
    ).toBeLessThanOrEqual(5_000);
  });

  it('a task that is not processing is refused and changes nothing', async () => {
    const keys = queueKeys(uniqueName('ex2'));
    await redis.lpush(keys.processing, 't1');
    expect(
      await ackWithResult(redis, keys, 'ghost', result('ghost'), 60_000),
      '🚨 unknown id: return false (decide on what LREM removed: a Lua script can, MULTI cannot decide)',
    ).toBe(false);
    expect(
      await redis.exists(keys.result('ghost')),
      '🚨 no result for a task that was not processing (MULTI cannot decide this; Lua can)',
    ).toBe(0);
    expect(
      await ackWithResult(redis, keys, 't1', result('t1'), 60_000),
      '🚨 an ack of a processing task returns true',
    ).toBe(true);
    const second = JSON.stringify({ taskId: 't1', status: 'failed' });
    expect(
      await ackWithResult(redis, keys, 't1', second, 60_000),
      '🚨 a second ack is refused',
    ).toBe(false);
    expect(
      await redis.get(keys.result('t1')),
      '🚨 a refused ack must not overwrite the stored result',
    ).toBe(result('t1'));
  });

  it('a worker that dies after its first command leaves both changes or neither', async () => {
    const keys = queueKeys(uniqueName('ex2'));
    await redis.lpush(keys.processing, 't1', 't2');
    expect(
      await ackWithResult(redis, keys, 't1', result('t1'), 60_000),
      '🚨 an ack of a processing task returns true',
    ).toBe(true);
    const state = async () =>
      JSON.stringify([
        await redis.lrange(keys.processing, 0, -1),
        await redis.exists(keys.result('t2')),
      ]);
    // This client runs commands for real until one of them changes the processing list or the
    // result; then it "dies": later calls never reach Redis. Reads on the way do not count.
    const dying = await crashAfterFirstChange(redis, state);
    await ackWithResult(dying, keys, 't2', result('t2'), 60_000).catch(() => false);
    const stillProcessing = (await redis.lrange(keys.processing, 0, -1)).includes('t2');
    const stored = (await redis.exists(keys.result('t2'))) === 1;
    expect(
      { stillProcessing, stored },
      '🚨 half an ack: the id left processing but no result was stored (or the reverse). Do both in ONE Lua script',
    ).toEqual(
      stored ? { stillProcessing: false, stored: true } : { stillProcessing: true, stored: false },
    );
  });
});
