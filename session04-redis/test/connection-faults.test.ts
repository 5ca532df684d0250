/**
 * Redis restarts, crashes and silent connections: a worker must neither hang forever nor lose
 * a task. Every case runs a real redis-server that the test kills and restarts.
 */
import { completedResult, type NewTask } from '@workbook/session03';
import { type RedisServerHandle, startRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisTaskQueue, type RedisTaskQueueOptions } from '../src/index.ts';
import { startProxy } from './helpers/tcp-proxy.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});

async function redisServer(persistence: boolean): Promise<RedisServerHandle> {
  const server = await startRedis({ persistence });
  cleanup.push(() => server[Symbol.asyncDispose]());
  return server;
}

function open(options: RedisTaskQueueOptions): RedisTaskQueue {
  const queue = new RedisTaskQueue(options);
  cleanup.push(() => queue.close());
  return queue;
}

function newTask(n: number): NewTask {
  return { pipeline: { steps: [] }, input: `in/${n}.png`, output: `out/${n}.png` };
}

async function blockedClients(url: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    const info = await client.info('clients');
    return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

describe('persistence (AOF)', () => {
  it('queued and in-flight tasks survive a crash (SIGKILL) and restart of Redis', async () => {
    const server = await redisServer(true);
    const name = uniqueName('aof');
    const producer = open({ url: server.url, name });
    const ids = (await producer.enqueueMany([1, 2, 3, 4, 5].map(newTask))).map((t) => t.id);
    const inFlight = (await producer.dequeue({ timeoutMs: 1_000 }))!;

    await server.kill(); // no shutdown save: only what appendfsync wrote survives
    await server.start();

    const consumer = open({ url: server.url, name });
    expect(await consumer.stats()).toMatchObject({ pending: 4, processing: 1 });
    const got: string[] = [];
    for (let n = 0; n < 4; n++) got.push((await consumer.dequeue({ timeoutMs: 2_000 }))!.id);
    expect([inFlight.id, ...got]).toEqual(ids);
    // The task taken before the crash can still be acked after it.
    await producer.ack(
      inFlight,
      completedResult(
        inFlight,
        { path: 'p', format: 'png', width: 1, height: 1, bytes: 1 },
        {
          workerId: 'w',
          durationMs: 1,
        },
      ),
    );
    expect(await consumer.stats()).toMatchObject({ processing: 4, completed: 1 });
  });

  it('without persistence the same crash empties the queue (why the setting matters)', async () => {
    const server = await redisServer(false);
    const name = uniqueName('volatile');
    const producer = open({ url: server.url, name });
    await producer.enqueueMany([1, 2, 3].map(newTask));
    await server.kill();
    await server.start();
    expect(await producer.size()).toBe(0);
  });
});

describe('a consumer blocked in dequeue', () => {
  it('recovers when Redis is killed and restarted, and gets the tasks enqueued after', async () => {
    const server = await redisServer(true);
    const name = uniqueName('blocked');
    const consumer = open({ url: server.url, name, blockTimeoutMs: 1_000, watchdogGraceMs: 500 });
    const waiting = consumer.dequeue({ timeoutMs: 60_000 });
    await waitFor(async () => (await blockedClients(server.url)) === 1, { timeoutMs: 5_000 });

    await server.kill();
    await server.start();

    const producer = open({ url: server.url, name });
    const stored = await producer.enqueue(newTask(1));
    const task = await waitFor(
      async () => {
        const settled = await Promise.race([waiting, new Promise((r) => setTimeout(r, 50, 'no'))]);
        return settled === 'no' ? null : settled;
      },
      { timeoutMs: 15_000, message: 'the blocked consumer never got the task after the restart' },
    );
    expect(task).toMatchObject({ id: stored.id, attempts: 1 });
    // And it goes on working: the next dequeue blocks again and is served.
    const next = consumer.dequeue({ timeoutMs: 10_000 });
    const second = await producer.enqueue(newTask(2));
    expect((await next)?.id).toBe(second.id);
  });

  it('is not stuck on a connection that went silent: the watchdog replaces it', async () => {
    const server = await redisServer(false);
    const proxy = await startProxy(server.port);
    cleanup.push(() => proxy.close());
    const name = uniqueName('silent');
    const consumer = open({
      url: proxy.url,
      name,
      blockTimeoutMs: 300,
      watchdogGraceMs: 300,
      // The command connection goes silent too; its socket timeout (10 s by default) drops it.
      redis: { socketTimeout: 1_000 },
    });
    const waiting = consumer.dequeue({ timeoutMs: 60_000 });
    await waitFor(async () => (await blockedClients(server.url)) === 1, { timeoutMs: 5_000 });
    const connectionsBefore = proxy.accepted;

    // From now on nothing passes on the open connections, and nothing tells the client so.
    proxy.freeze();
    // The watchdog must give up on the silent connection and block on a new one.
    await waitFor(() => proxy.accepted > connectionsBefore, {
      timeoutMs: 10_000,
      message: 'the consumer never opened a new connection: it is stuck on the silent one',
    });
    await waitFor(async () => (await blockedClients(server.url)) >= 1, { timeoutMs: 5_000 });
    // Produce straight to Redis: the consumer's command connection is frozen as well.
    const producer = open({ url: server.url, name });
    const stored = await producer.enqueue(newTask(1));
    const task = await Promise.race([
      waiting,
      new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting')),
    ]);
    expect(task, '🚨 the consumer hung on a dead connection').toMatchObject({ id: stored.id });
  });
});

describe('commands during a short outage', () => {
  it('an ack issued while Redis is down completes once Redis is back', async () => {
    const server = await redisServer(true);
    const queue = open({ url: server.url, name: uniqueName('outage') });
    await queue.enqueue(newTask(1));
    const task = (await queue.dequeue({ timeoutMs: 1_000 }))!;
    await server.stop();
    const result = completedResult(
      task,
      { path: 'p', format: 'png', width: 1, height: 1, bytes: 1 },
      { workerId: 'w', durationMs: 1 },
    );
    const acking = queue.ack(task, result);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.start();
    await acking;
    expect(await queue.result(task.id)).toEqual(result);
    expect(await queue.stats()).toMatchObject({ processing: 0, completed: 1 });
  });
});
