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

/** Beats for each id every `everyMs` until stopped. */
function keepBeating(
  keys: ReturnType<typeof reliableKeys>,
  ids: string[],
  ttlMs: number,
  everyMs: number,
) {
  const timer = setInterval(() => {
    for (const id of ids) void sendHeartbeat(redis, keys, id, ttlMs).catch(() => {});
  }, everyMs);
  return () => clearInterval(timer);
}

describe('05.1 heartbeats', () => {
  it('a heartbeat sets the alive key with its TTL and remembers the worker', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    await sendHeartbeat(redis, keys, 'w1', 5_000);
    const ttl = await redis.pttl(keys.alive('w1'));
    expect(ttl, '🚨 the alive key needs an expiry in ms (SET ... PX ttlMs)').toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(
      await redis.zscore(keys.workers, 'w1'),
      '🚨 ZADD the worker to keys.workers',
    ).not.toBeNull();
    expect(await redis.hget(keys.worker('w1'), 'lastSeen'), '🚨 HSET lastSeen').not.toBeNull();
  });

  it('the course registry (imgq workers, the monitor) sees your heartbeat as a live worker', async () => {
    const name = uniqueName('ex1');
    const registry = new WorkerRegistry({ url: server.url, name });
    try {
      await sendHeartbeat(redis, reliableKeys(name), 'w1', 5_000);
      const [worker] = await registry.list();
      expect(worker, '🚨 the registry lists known workers from keys.workers').toMatchObject({
        id: 'w1',
        alive: true,
        heartbeatTtlMs: 5_000,
      });
    } finally {
      await registry.close();
    }
  });

  it('beats keep a worker alive far beyond one TTL; nobody is dead', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    await sendHeartbeat(redis, keys, 'a', 200);
    await sendHeartbeat(redis, keys, 'b', 200);
    const stop = keepBeating(keys, ['a', 'b'], 200, 40);
    try {
      const until = Date.now() + 700;
      while (Date.now() < until) {
        expect(
          await findDeadWorkers(redis, keys),
          '🚨 workers that keep beating are alive',
        ).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      stop();
    }
  });

  it('a worker that stops beating is found dead once its TTL runs out; the others are not', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    for (const id of ['c', 'a', 'b']) await sendHeartbeat(redis, keys, id, 250);
    const stop = keepBeating(keys, ['a', 'b'], 250, 40);
    try {
      const dead = await waitFor(
        async () => {
          const found = await findDeadWorkers(redis, keys);
          return found.length > 0 ? found : null;
        },
        { timeoutMs: 5_000, message: '🚨 c stopped beating: it must be found dead' },
      );
      expect(dead, '🚨 only c is dead').toEqual(['c']);
      // One more beat and c is back.
      await sendHeartbeat(redis, keys, 'c', 250);
      expect(await findDeadWorkers(redis, keys)).toEqual([]);
    } finally {
      stop();
    }
  });

  it('several dead workers come back sorted; an empty registry has none', async () => {
    const keys = reliableKeys(uniqueName('ex1'));
    expect(await findDeadWorkers(redis, keys)).toEqual([]);
    for (const id of ['zed', 'amy', 'kim']) await sendHeartbeat(redis, keys, id, 100);
    await waitFor(
      async () =>
        (await redis.exists(keys.alive('zed'), keys.alive('amy'), keys.alive('kim'))) === 0,
    );
    expect(await findDeadWorkers(redis, keys), '🚨 sorted by id').toEqual(['amy', 'kim', 'zed']);
  });
});
