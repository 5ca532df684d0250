/**
 * `imgq trace` on a task whose first worker was SIGKILLed mid-task: real worker processes, the
 * task recovered by the second one, and the story shows both attempts with their workers and
 * the recovery under one trace id, merged with both workers' log lines. Also the event log's
 * bounds (trim, retention) and the errors of `imgq trace`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReliableTaskQueue } from '@workbook/session05';
import { expireLeases } from '@workbook/session05/testing';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueTraced,
  parseTraceparent,
  readTaskStory,
  runImgq,
  TaskEventLog,
  type TaskStory,
} from '../src/index.ts';
import { newTask } from './helpers.ts';
import { type SpawnedWorker, spawnObservedWorker } from './process-helpers.ts';

let redis: RedisServerHandle;
let scratch: string;
const workers: SpawnedWorker[] = [];
beforeAll(async () => {
  redis = await testRedis();
  scratch = mkdtempSync(path.join(tmpdir(), 'workbook-trace-'));
});
afterAll(async () => {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  await redis?.[Symbol.asyncDispose]();
  rmSync(scratch, { recursive: true, force: true });
});

function capture() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    },
    out: () => out,
    err: () => err,
  };
}

describe('imgq trace', () => {
  it('shows a task recovered after a SIGKILL: both attempts, their workers and the recovery, under one trace id', async () => {
    const queueName = uniqueName('kill');
    const common = {
      redisUrl: redis.url,
      queue: queueName,
      // A lease no stall of a loaded machine outlasts: worker a must not lose its task to its own
      // recovery pass before the kill. After the kill, the lease period is made to pass on
      // Redis's clock (the deadline moved into the past), so worker b recovers it at once.
      leaseMs: 60_000,
      heartbeatIntervalMs: 100,
      heartbeatTtlMs: 5_000,
      recoveryIntervalMs: 200,
      concurrency: 1,
    };
    const logA = path.join(scratch, 'worker-a.log');
    const logB = path.join(scratch, 'worker-b.log');
    const a = spawnObservedWorker({ ...common, workerId: 'worker-a', delayMs: 60_000 }, logA);
    workers.push(a);
    await waitFor(() => a.events.some((e) => e.event === 'started'), { timeoutMs: 20_000 });

    const queue = new ReliableTaskQueue({ url: redis.url, name: queueName });
    await queue.connect();
    const log = new TaskEventLog({ connection: queue.connection, queue: queueName });
    try {
      const { task, traceparent } = await enqueueTraced(queue, log, newTask('photo'));
      const traceId = parseTraceparent(traceparent).traceId;
      await waitFor(async () => (await log.read(task.id)).some((e) => e.type === 'started'), {
        timeoutMs: 20_000,
      });
      a.child.kill('SIGKILL');
      await a.exited;
      const { moved } = await expireLeases(queue.connection, queue.keys.leases, [task.id]);
      expect(moved, 'the killed worker still holds the task (its lease is in the leases set)').toBe(
        1,
      );

      const b = spawnObservedWorker({ ...common, workerId: 'worker-b', delayMs: 10 }, logB);
      workers.push(b);
      await waitFor(async () => (await readTaskStory(log, task.id)).outcome === 'done', {
        timeoutMs: 90_000, // worker b's start (tsx compiling) included
      });
      b.child.kill('SIGTERM');
      expect(await b.exited, 'worker b stops gracefully').toBe(0);

      const json = capture();
      const code = await runImgq(
        [
          'trace',
          task.id,
          '--json',
          '--redis-url',
          redis.url,
          '--queue',
          queueName,
          '--log',
          logA,
          '--log',
          logB,
        ],
        {},
        json.io,
      );
      expect(json.err()).toBe('');
      expect(code).toBe(0);
      const story = JSON.parse(json.out()) as TaskStory;
      const events = story.entries.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
      expect(
        events.map((e) => [e.type, e.workerId ?? 'producer', e.attempt ?? '-']),
        '🚨 enqueued, attempt 1 by worker-a, recovered by worker-b, attempt 2 by worker-b, done',
      ).toEqual([
        ['enqueued', 'producer', '-'],
        ['started', 'worker-a', 1],
        ['recovered', 'worker-b', '-'],
        ['started', 'worker-b', 2],
        ['done', 'worker-b', '-'],
      ]);
      expect(new Set(events.map((e) => e.traceId)), '🚨 one trace id for the whole story').toEqual(
        new Set([traceId]),
      );
      expect(story).toMatchObject({
        traceId,
        workers: ['worker-a', 'worker-b'],
        attempts: 2,
        outcome: 'done',
      });
      const logLines = story.entries.flatMap((e) => (e.kind === 'log' ? [e] : []));
      expect(
        new Set(logLines.map((l) => l.workerId)),
        "both workers' log lines about the task join the story",
      ).toEqual(new Set(['worker-a', 'worker-b']));
      expect(
        logLines.some((l) => l.msg === 'working on the image'),
        "the processor's own lines carry the trace",
      ).toBe(true);

      const text = capture();
      expect(
        await runImgq(
          ['trace', task.id, '--redis-url', redis.url, '--queue', queueName],
          {},
          text.io,
        ),
      ).toBe(0);
      expect(text.out()).toContain(traceId);
      expect(text.out()).toMatch(/recovered/);
      expect(text.out()).toContain('2 attempt(s) by worker-a, worker-b; done');
    } finally {
      await queue.close();
    }
    // Two worker processes start (tsx compiles each): more than the default 30 s on a busy machine.
  }, 240_000);

  it('says ERR_TRACE_NOT_FOUND for an unknown task and ERR_BAD_ARGUMENT without an id', async () => {
    const missing = capture();
    expect(
      await runImgq(['trace', 'no-such-task', '--redis-url', redis.url, '--json'], {}, missing.io),
    ).toBe(1);
    expect(JSON.parse(missing.out())).toMatchObject({ error: { code: 'ERR_TRACE_NOT_FOUND' } });
    const usage = capture();
    expect(await runImgq(['trace', '--redis-url', redis.url], {}, usage.io)).toBe(2);
    expect(usage.err()).toContain('ERR_BAD_ARGUMENT');
  });

  it('keeps at most maxEvents per task and expires them after the retention', async () => {
    const queue = new ReliableTaskQueue({ url: redis.url, name: uniqueName('bounded') });
    await queue.connect();
    try {
      const log = new TaskEventLog({
        connection: queue.connection,
        queue: queue.name,
        maxEvents: 3,
        retentionMs: 60_000,
      });
      for (let i = 1; i <= 5; i++)
        await log.append('t1', { type: 'started', traceId: 'x', attempt: i });
      expect(
        (await log.read('t1')).map((e) => e.attempt),
        'the oldest events go first',
      ).toEqual([3, 4, 5]);
      const ttl = await queue.connection.pttl(log.eventsKey('t1'));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await queue.close();
    }
  });
});
