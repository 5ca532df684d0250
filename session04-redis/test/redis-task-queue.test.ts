import { readdirSync, readFileSync } from 'node:fs';
import { completedResult, failedResult, type NewTask } from '@workbook/session03';
import {
  type RedisServerHandle,
  startRedis,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  queueKeys,
  RedisTaskQueue,
  type RedisTaskQueueOptions,
  redisUrlFromEnv,
} from '../src/index.ts';

let redis: RedisServerHandle;
let direct: Redis;
const opened: RedisTaskQueue[] = [];

beforeAll(async () => {
  redis = await testRedis();
  direct = new Redis(redis.url);
});
afterEach(async () => {
  for (const queue of opened.splice(0)) await queue.close();
});
afterAll(async () => {
  direct?.disconnect();
  await redis?.[Symbol.asyncDispose]();
});

function open(options: RedisTaskQueueOptions = {}): RedisTaskQueue {
  const queue = new RedisTaskQueue({ url: redis.url, name: uniqueName('q'), ...options });
  opened.push(queue);
  return queue;
}

function newTask(n: number): NewTask {
  return { pipeline: { steps: [] }, input: `in/${n}.png`, output: `out/${n}.png` };
}

const meta = { workerId: 'test', durationMs: 5 };
const output = { path: 'out/x.png', format: 'png', width: 1, height: 1, bytes: 1 };

describe('queueKeys', () => {
  it('builds every key from one prefix with the queue name as a Redis Cluster hash tag', () => {
    const keys = queueKeys('images');
    expect(keys.pending).toBe('imgq:{images}:pending');
    expect(keys.processing).toBe('imgq:{images}:processing');
    expect(keys.stats).toBe('imgq:{images}:stats');
    expect(keys.task('42')).toBe('imgq:{images}:task:42');
    expect(keys.result('42')).toBe('imgq:{images}:result:42');
    expect(queueKeys('thumbs', 'app').pending).toBe('app:{thumbs}:pending');
  });

  it('refuses names that would break the hash tag or the key layout', () => {
    for (const bad of ['', 'a{b}', 'with space', 'x}']) {
      expect(() => queueKeys(bad), bad).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
      );
    }
  });
});

describe('RedisTaskQueue in Redis', () => {
  it('keeps ids in the lists and the payload in a hash: pending -> processing -> gone', async () => {
    const queue = open();
    const stored = await queue.enqueue(newTask(1));
    expect(await direct.lrange(queue.keys.pending, 0, -1)).toEqual([stored.id]);
    expect(await direct.hget(queue.keys.task(stored.id), 'state')).toBe('pending');

    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(await direct.lrange(queue.keys.pending, 0, -1)).toEqual([]);
    expect(await direct.lrange(queue.keys.processing, 0, -1)).toEqual([task.id]);
    expect(await direct.hget(queue.keys.task(task.id), 'attempts')).toBe('1');

    await queue.ack(task, completedResult(task, output, meta));
    expect(await direct.lrange(queue.keys.processing, 0, -1)).toEqual([]);
    expect(JSON.parse((await direct.get(queue.keys.result(task.id)))!).status).toBe('completed');
  });

  it('a consumer that dies between dequeue and ack leaves its task in processing, not lost', async () => {
    const consumer = open();
    const stored = await consumer.enqueue(newTask(1));
    const task = (await consumer.dequeue({ timeoutMs: 1_000 }))!;
    await consumer.close(); // gone without ack, as a crashed worker would be
    const observer = open({ name: consumer.name });
    expect(await observer.stats()).toMatchObject({ pending: 0, processing: 1 });
    expect(await direct.lrange(consumer.keys.processing, 0, -1)).toEqual([stored.id]);
    expect((await observer.task(task.id))?.state).toBe('processing');
  });

  it('sets the retention TTLs on the result and the task after ack and fail', async () => {
    const queue = open({ resultTtlMs: 60_000, taskTtlMs: 5_000 });
    await queue.enqueue(newTask(1));
    await queue.enqueue(newTask(2));
    const a = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    const b = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    expect(await direct.pttl(queue.keys.task(a.id)), 'no TTL while the task is live').toBe(-1);
    await queue.ack(a, completedResult(a, output, meta));
    await queue.fail(b, failedResult(b, new Error('boom'), meta));
    for (const id of [a.id, b.id]) {
      const resultTtl = await direct.pttl(queue.keys.result(id));
      const taskTtl = await direct.pttl(queue.keys.task(id));
      expect(resultTtl).toBeGreaterThan(50_000);
      expect(resultTtl).toBeLessThanOrEqual(60_000);
      expect(taskTtl).toBeGreaterThan(0);
      expect(taskTtl).toBeLessThanOrEqual(5_000);
    }
  });

  it('keeps results and tasks forever with Infinity', async () => {
    const queue = open({ resultTtlMs: Infinity, taskTtlMs: Infinity });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    await queue.ack(task, completedResult(task, output, meta));
    expect(await direct.pttl(queue.keys.result(task.id))).toBe(-1);
    expect(await direct.pttl(queue.keys.task(task.id))).toBe(-1);
  });

  it('a result that expired reads as null', async () => {
    const queue = open({ resultTtlMs: 50 });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    await queue.ack(task, completedResult(task, output, meta));
    await waitFor(async () => (await queue.result(task.id)) === null, { timeoutMs: 5_000 });
  });

  it('rejects bad options with the option name', () => {
    expect(() => new RedisTaskQueue({ url: redis.url, resultTtlMs: 0 })).toThrow(/resultTtlMs/);
    expect(() => new RedisTaskQueue({ url: redis.url, blockTimeoutMs: Infinity })).toThrow(
      /blockTimeoutMs/,
    );
    expect(() => new RedisTaskQueue({ url: 'http://localhost' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_REDIS_URL' }),
    );
  });

  it('enqueueMany queues a batch in order; a duplicate id is refused with ERR_DUPLICATE_TASK', async () => {
    const queue = open();
    const batch = await queue.enqueueMany([1, 2, 3].map(newTask));
    const got: string[] = [];
    for (let n = 0; n < 3; n++) got.push((await queue.dequeue({ timeoutMs: 1_000 }))!.id);
    expect(got).toEqual(batch.map((t) => t.id));
    await expect(queue.enqueue({ ...newTask(4), id: batch[0]!.id })).rejects.toMatchObject({
      code: 'ERR_DUPLICATE_TASK',
    });
    expect(await queue.size()).toBe(0);
  });

  it('prefetch keeps tasks ready: taken in one round trip, topped up by ack, put back by close()', async () => {
    const name = uniqueName('prefetch');
    const consumer = open({ name, prefetch: 2 });
    const ids = (await consumer.enqueueMany([1, 2, 3, 4, 5].map(newTask))).map((t) => t.id);
    const first = (await consumer.dequeue())!;
    expect(first.id).toBe(ids[0]);
    // 1 + 2 moved at once; two of them wait in this process, safe in the processing list.
    expect(await direct.lrange(consumer.keys.processing, 0, -1)).toHaveLength(3);
    const second = (await consumer.dequeue())!;
    expect(second.id).toBe(ids[1]);
    // The ack tops the reserve back up to 2 in the same round trip.
    await consumer.ack(first, completedResult(first, output, meta));
    expect(await direct.lrange(consumer.keys.processing, 0, -1)).toEqual([ids[3], ids[2], ids[1]]);
    await consumer.close();

    const next = open({ name });
    expect(await next.stats()).toMatchObject({ pending: 3, processing: 1, completed: 1 });
    const rest = [(await next.dequeue())!, (await next.dequeue())!, (await next.dequeue())!];
    expect(
      rest.map((t) => t.id),
      'reserved tasks go back to the head, in order',
    ).toEqual(ids.slice(2));
    expect(rest[0]!.attempts, 'a reserved task nobody got does not count as an attempt').toBe(1);
    expect(() => new RedisTaskQueue({ url: redis.url, prefetch: -1 })).toThrow(/prefetch/);
  });

  it('an aborted dequeue returns null at once and a later task stays pending for others', async () => {
    const queue = open();
    const controller = new AbortController();
    const waiting = queue.dequeue({ timeoutMs: 20_000, signal: controller.signal });
    await waitFor(async () => blockedClients(), { timeoutMs: 5_000 });
    controller.abort();
    expect(await waiting).toBeNull();
    const stored = await queue.enqueue(newTask(1));
    expect(await direct.lrange(queue.keys.pending, 0, -1)).toEqual([stored.id]);
  });

  it('close() unblocks consumers on the server (CLIENT UNBLOCK) and closes every connection', async () => {
    const queue = open();
    const waiting = [queue.dequeue({ timeoutMs: 20_000 }), queue.dequeue({ timeoutMs: 20_000 })];
    await waitFor(async () => (await blockedClients()) >= 2, { timeoutMs: 5_000 });
    await queue.close();
    expect(await Promise.all(waiting)).toEqual([null, null]);
    await waitFor(async () => (await clientsNamed(`imgq:${queue.name}`)) === 0, {
      timeoutMs: 5_000,
      message: 'the queue left connections open',
    });
  });

  it('queues can share one ioredis connection; closing a queue leaves it open', async () => {
    const shared = new Redis(redis.url);
    try {
      const name = uniqueName('shared');
      const producer = new RedisTaskQueue({ connection: shared, name });
      const consumer = new RedisTaskQueue({ connection: shared, name });
      const waiting = consumer.dequeue({ timeoutMs: 10_000 });
      const stored = await producer.enqueue(newTask(1));
      expect((await waiting)?.id).toBe(stored.id);
      await producer.close();
      await consumer.close();
      expect(await shared.ping()).toBe('PONG');
    } finally {
      shared.disconnect();
    }
  });

  it('many consumers on several queue instances (separate connections) get every task exactly once', async () => {
    const name = uniqueName('many');
    const instances = Array.from({ length: 4 }, () => open({ name }));
    const total = 400;
    let producing = true;
    const delivered: string[] = [];
    const byInstance = new Map<number, number>();
    const consume = async (queue: RedisTaskQueue, index: number) => {
      for (;;) {
        const task = await queue.dequeue({ timeoutMs: 150 });
        if (!task) {
          if (!producing) return;
          continue;
        }
        delivered.push(task.id);
        byInstance.set(index, (byInstance.get(index) ?? 0) + 1);
        await queue.ack(task, completedResult(task, output, meta));
      }
    };
    const consumers = instances.flatMap((queue, index) =>
      Array.from({ length: 8 }, () => consume(queue, index)),
    );
    const producer = open({ name });
    const ids = new Set<string>();
    for (let n = 0; n < total; n += 20) {
      const batch = await producer.enqueueMany(
        Array.from({ length: 20 }, (_, i) => newTask(n + i)),
      );
      for (const task of batch) ids.add(task.id);
    }
    producing = false;
    await Promise.all(consumers);
    expect(delivered.length, 'no task may be delivered twice').toBe(new Set(delivered).size);
    expect(
      [...ids].filter((id) => !delivered.includes(id)),
      'no task may be lost',
    ).toEqual([]);
    expect(byInstance.size, 'every instance should have taken some tasks').toBe(4);
    expect(await producer.stats()).toEqual({
      pending: 0,
      processing: 0,
      completed: total,
      failed: 0,
    });
  });

  it('reads REDIS_URL with its password and database index', async () => {
    await using secured = await startRedis({ password: 's3cret pass' });
    const url = redisUrlFromEnv({ REDIS_URL: `${secured.url}/3` });
    const queue = open({ url, name: uniqueName('auth') });
    await queue.connect();
    const stored = await queue.enqueue(newTask(1));

    const db3 = new Redis(secured.url, { db: 3 });
    const db0 = new Redis(secured.url, { db: 0 });
    try {
      expect(await db3.lrange(queue.keys.pending, 0, -1)).toEqual([stored.id]);
      expect(await db0.exists(queue.keys.pending)).toBe(0);
    } finally {
      db3.disconnect();
      db0.disconnect();
    }
  });

  it('a wrong or missing password fails fast with ERR_REDIS_AUTH, and the message hides it', async () => {
    await using secured = await startRedis({ password: 'right' });
    const wrong = open({ url: secured.url.replace(':right@', ':wrong@') });
    const error = await wrong.connect(3_000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_REDIS_AUTH' });
    expect((error as Error).message).not.toContain('wrong@');
    const missing = open({ url: `redis://127.0.0.1:${secured.port}` });
    await expect(missing.connect(3_000)).rejects.toMatchObject({ code: 'ERR_REDIS_AUTH' });
  });

  it('an unreachable Redis fails with ERR_REDIS_UNAVAILABLE and says how to fix it', async () => {
    const stopped = await startRedis();
    const url = stopped.url;
    await stopped[Symbol.asyncDispose]();
    const queue = open({ url });
    const error = await queue.connect(500).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_REDIS_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/REDIS_URL/);
  });
});

describe('Lua scripts', () => {
  const dir = new URL('../src/lua/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.lua'));

  it('are named <name>-<numKeys>.lua and use exactly the keys their name declares', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const match = /^[a-z]+-(\d+)\.lua$/.exec(file);
      expect(match, `${file} must be named <name>-<numKeys>.lua`).not.toBeNull();
      const lua = readFileSync(new URL(file, dir), 'utf8');
      const used = new Set([...lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1])));
      expect(Math.max(...used), `${file} uses KEYS beyond its count`).toBe(Number(match![1]));
      expect(lua.startsWith('--[['), `${file} starts with a KEYS/ARGV header`).toBe(true);
    }
  });
});

async function blockedClients(): Promise<number> {
  const info = await direct.info('clients');
  return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? 0);
}

async function clientsNamed(prefix: string): Promise<number> {
  const list = (await direct.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(`name=${prefix}`)).length;
}
