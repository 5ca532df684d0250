/** The worker registry on a private redis-server: heartbeats with a TTL, dead workers, cleanup. */
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ReliableTaskQueue, WorkerRegistry, type WorkerRegistryOptions } from '../src/index.ts';

let redis: RedisServerHandle;
let direct: Redis;
const opened: WorkerRegistry[] = [];

beforeAll(async () => {
  redis = await testRedis();
  direct = new Redis(redis.url);
});
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});
afterAll(async () => {
  direct?.disconnect();
  await redis?.[Symbol.asyncDispose]();
});

function open(options: WorkerRegistryOptions = {}): WorkerRegistry {
  const registry = new WorkerRegistry({ url: redis.url, name: uniqueName('reg'), ...options });
  opened.push(registry);
  return registry;
}

const idle = { status: 'idle' as const, processed: 0, failed: 0, current: [] };

it('register + heartbeat: a TTL key per worker, a zset of known workers, the report in a hash', async () => {
  const registry = open({ heartbeatTtlMs: 5_000 });
  await registry.register({ id: 'w1', host: 'box', pid: 42, startedAt: 1_000, concurrency: 3 });
  const ttl = await direct.pttl(registry.keys.alive('w1'));
  expect(ttl).toBeGreaterThan(4_000);
  expect(ttl).toBeLessThanOrEqual(5_000);
  expect(await direct.zrange(registry.keys.workers, 0, '-1')).toEqual(['w1']);

  await registry.heartbeat('w1', {
    status: 'busy',
    processed: 7,
    failed: 2,
    current: [{ taskId: 't1', input: 'in/cat.png', since: 5 }],
  });
  const [worker] = await registry.list();
  expect(worker).toMatchObject({
    id: 'w1',
    host: 'box',
    pid: 42,
    startedAt: 1_000,
    concurrency: 3,
    alive: true,
    status: 'busy',
    processed: 7,
    failed: 2,
    current: [{ taskId: 't1', input: 'in/cat.png', since: 5 }],
    heartbeatTtlMs: 5_000,
  });
  expect(worker!.silentForMs).toBeLessThan(1_000);
});

it('a worker that stops heartbeating is reported dead once its TTL runs out; the others stay alive', async () => {
  // a and b heartbeat with a TTL no stall of this machine outlasts; c's 300 ms TTL runs out
  // for real. (One TTL per registry; two registries share the queue's registry keys.)
  const name = uniqueName('reg');
  const registry = open({ name, heartbeatTtlMs: 60_000 });
  const short = open({ name, heartbeatTtlMs: 300 });
  for (const id of ['a', 'b']) await registry.register({ id, concurrency: 1 });
  await short.register({ id: 'c', concurrency: 1 });
  const ttl = await direct.pttl(short.keys.alive('c'));
  expect(ttl, 'the alive key carries the heartbeat TTL').toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(300);
  // a and b keep beating, c has stopped.
  await registry.heartbeat('a', idle);
  await registry.heartbeat('b', idle);
  const dead = await waitFor(async () => {
    const found = await registry.dead();
    return found.length > 0 ? found : null;
  });
  expect(dead.map((w) => w.id)).toEqual(['c']);
  expect(dead[0]).toMatchObject({ alive: false, status: 'dead' });
  const list = await registry.list();
  expect(list.map((w) => `${w.id}:${w.alive}`)).toEqual(['a:true', 'b:true', 'c:false']);
  // A heartbeat brings c back.
  await registry.heartbeat('c', idle);
  expect((await registry.dead()).map((w) => w.id)).toEqual([]);
});

it('deregister removes a worker at once: neither alive nor dead', async () => {
  const registry = open();
  await registry.register({ id: 'leaving', concurrency: 1 });
  await registry.deregister('leaving');
  expect(await registry.list()).toEqual([]);
  expect(await direct.exists(registry.keys.alive('leaving'), registry.keys.worker('leaving'))).toBe(
    0,
  );
});

it('recovery forgets workers that have been dead longer than the retention', async () => {
  const name = uniqueName('reg');
  const registry = open({ name, heartbeatTtlMs: 100 });
  const queue = new ReliableTaskQueue({ url: redis.url, name, deadWorkerRetentionMs: 300 });
  try {
    await registry.register({ id: 'gone', concurrency: 1 });
    await waitFor(async () => (await registry.dead()).length === 1);
    await waitFor(async () => {
      await queue.recover();
      return (await registry.list()).length === 0;
    });
    expect(await direct.exists(registry.keys.worker('gone'))).toBe(0);
  } finally {
    await queue.close();
  }
});

it('refuses worker ids that cannot be part of a key, with ERR_INVALID_WORKER_ID', async () => {
  const registry = open();
  for (const id of ['', 'has space', 'a{b}', 'x'.repeat(101)]) {
    await expect(registry.register({ id, concurrency: 1 }), id).rejects.toMatchObject({
      code: 'ERR_INVALID_WORKER_ID',
    });
  }
  expect(() => new WorkerRegistry({ url: redis.url, heartbeatTtlMs: 0 })).toThrow(/heartbeatTtlMs/);
});
