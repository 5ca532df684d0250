import { reliableKeys, WorkerRegistry } from '@workbook/session05';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDeadWorkers, sendHeartbeat } from '#ex/01-heartbeat/heartbeat.ts';

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

// No check here races a clock: the live workers beat with a TTL of a minute, a dead one with
// 50 ms, and the checks wait (bounded polling) until Redis has expired the dead one's key.
const LIVE_TTL = 60_000;
const DEAD_TTL = 50;

/** Waits until Redis has deleted the alive keys of `ids` (their TTL ran out). */
async function expired(keys: ReturnType<typeof reliableKeys>, ids: string[]): Promise<void> {
  await waitFor(async () => (await redis.exists(...ids.map((id) => keys.alive(id)))) === 0, {
    timeoutMs: 10_000,
    message: `🚨 the alive keys of ${ids.join(', ')} (TTL ${DEAD_TTL} ms) never expired: set them with SET … PX ttlMs`,
  });
}

describe('05.1 heartbeats', () => {
  it('a heartbeat sets the alive key with its TTL in ms and remembers the worker', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    await sendHeartbeat(redis, keys, 'w1', LIVE_TTL);
    const ttl = await redis.pttl(keys.alive('w1'));
    expect(
      ttl,
      `🚨 the alive key needs an expiry in ms (SET … PX ttlMs); its PTTL is ${ttl} (-1: no expiry, -2: no key)`,
    ).toBeGreaterThan(LIVE_TTL / 2);
    expect(
      ttl,
      `🚨 the expiry is in MILLISECONDS: asked for ${LIVE_TTL} ms, the key lives ${ttl} ms (EX takes seconds)`,
    ).toBeLessThanOrEqual(LIVE_TTL);
    expect(
      await redis.zscore(keys.workers, 'w1'),
      '🚨 ZADD the worker to keys.workers, so it can be found when it is dead',
    ).not.toBeNull();
    expect(
      await redis.hget(keys.worker('w1'), 'lastSeen'),
      '🚨 HSET keys.worker(id) lastSeen <now>',
    ).not.toBeNull();
  });

  it('the course registry (imgq workers, the monitor) sees your heartbeat as a live worker', async () => {
    const name = uniqueName('ex1');
    const registry = new WorkerRegistry({ url: server.url, name });
    try {
      await sendHeartbeat(redis, reliableKeys(name), 'w1', 5_000);
      const [worker] = await registry.list();
      expect(
        worker,
        '🚨 the registry lists known workers from keys.workers, alive from keys.alive(id), heartbeatTtlMs from the ttlMs field of keys.worker(id)',
      ).toMatchObject({ id: 'w1', alive: true, heartbeatTtlMs: 5_000 });
    } finally {
      await registry.close();
    }
  });

  it('each beat renews the expiry: a worker that keeps beating never expires', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    await sendHeartbeat(redis, keys, 'a', LIVE_TTL);
    // Most of its TTL is used up (as if a minute had passed) ...
    await redis.pexpire(keys.alive('a'), 100);
    // ... and the next beat must give it the whole TTL again.
    await sendHeartbeat(redis, keys, 'a', LIVE_TTL);
    const ttl = await redis.pttl(keys.alive('a'));
    expect(
      ttl,
      `🚨 the second beat did not renew the expiry (PTTL ${ttl} ms): SET … PX ttlMs on EVERY beat (not NX, not only the first time)`,
    ).toBeGreaterThan(LIVE_TTL / 2);
    expect(await findDeadWorkers(redis, keys), '🚨 a worker that keeps beating is alive').toEqual(
      [],
    );
  });

  it('a worker that stops beating is found dead once its TTL runs out; the others are not', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    await sendHeartbeat(redis, keys, 'c', DEAD_TTL);
    for (const id of ['a', 'b']) await sendHeartbeat(redis, keys, id, LIVE_TTL);
    expect(
      await redis.exists(keys.alive('a'), keys.alive('b')),
      '🚨 every beat must SET keys.alive(id)',
    ).toBe(2);
    await expired(keys, ['c']);
    expect(
      await findDeadWorkers(redis, keys),
      '🚨 c is known (in keys.workers) and its alive key expired: only c is dead; a and b, whose keys exist, are alive',
    ).toEqual(['c']);
    await sendHeartbeat(redis, keys, 'c', LIVE_TTL);
    expect(await findDeadWorkers(redis, keys), '🚨 one more beat and c is alive again').toEqual([]);
  });

  it('several dead workers come back sorted by id; an empty registry has none', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    expect(await findDeadWorkers(redis, keys), '🚨 no known workers: nobody is dead').toEqual([]);
    for (const id of ['kim', 'amy', 'zed']) await sendHeartbeat(redis, keys, id, DEAD_TTL);
    // Scores that list them out of order (zed, kim, amy), whatever millisecond each beat had.
    await redis.zadd(keys.workers, 1, 'zed', 2, 'kim', 3, 'amy');
    await expired(keys, ['kim', 'amy', 'zed']);
    expect(
      await findDeadWorkers(redis, keys),
      '🚨 the dead workers, sorted by id (ZRANGE lists them by score: sort them)',
    ).toEqual(['amy', 'kim', 'zed']);
  });
});
