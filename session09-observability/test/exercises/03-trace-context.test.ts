import { setTimeout as delay } from 'node:timers/promises';
import { WorkbookError } from '@workbook/session01';
import type { TaskProcessor } from '@workbook/session03';
import { createWorkerProcess, ReliableTaskQueue } from '@workbook/session05';
import {
  createTaskTracer,
  createTraceparent,
  enqueueTraced,
  parseTraceparent,
  readTaskStory,
  TaskEventLog,
} from '@workbook/session09';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrier, extractTraceContext, injectTraceContext } from '#ex/03-trace-context/carrier.ts';
import { newTask, testConfig } from '../helpers.ts';

let redis: RedisServerHandle;
let queue: ReliableTaskQueue;
let log: TaskEventLog;
beforeAll(async () => {
  redis = await testRedis();
  queue = new ReliableTaskQueue({ url: redis.url, name: uniqueName('trace') });
  await queue.connect();
  log = new TaskEventLog({ connection: queue.connection, queue: queue.name });
});
afterAll(async () => {
  await queue?.close();
  await redis?.[Symbol.asyncDispose]();
});

describe('09.3 carrying the trace context', () => {
  it('the producer starts a trace and stores it', async () => {
    const id = uniqueName('task');
    const context = await injectTraceContext(log, id);
    expect(context.traceId, '🚨 a 32-hex-digit trace id').toMatch(/^[0-9a-f]{32}$/);
    expect(await log.context(id), '🚨 store the context with log.setContext').toEqual(context);
  });

  it('the producer continues the caller trace when given a traceparent', async () => {
    const incoming = createTraceparent();
    const parent = parseTraceparent(incoming);
    const context = await injectTraceContext(log, uniqueName('task'), incoming);
    expect(context.traceId, '🚨 continue the caller trace: same trace id').toBe(parent.traceId);
    expect(context.spanId, '🚨 a new span for the enqueue').not.toBe(parent.spanId);
  });

  it('an attempt continues the producer trace, in a new span each time', async () => {
    const id = uniqueName('task');
    const produced = await injectTraceContext(log, id);
    const first = await extractTraceContext(log, id);
    const second = await extractTraceContext(log, id);
    expect(first.traceId, "🚨 an attempt must continue the producer's trace").toBe(
      produced.traceId,
    );
    expect(second.traceId, "🚨 an attempt must continue the producer's trace").toBe(
      produced.traceId,
    );
    expect(
      new Set([produced.spanId, first.spanId, second.spanId]).size,
      '🚨 a new span per attempt',
    ).toBe(3);
  });

  it('a task without a context gets one at its first attempt, shared by the next', async () => {
    const id = uniqueName('untraced');
    const first = await extractTraceContext(log, id);
    expect(first.traceId, '🚨 a trace id even for an untraced task').toMatch(/^[0-9a-f]{32}$/);
    const second = await extractTraceContext(log, id);
    expect(second.traceId, '🚨 store the new trace so the next attempt joins it').toBe(
      first.traceId,
    );
  });

  it('a task retried once tells its story under the producer trace id', async () => {
    const config = testConfig(redis.url, { queue: queue.name, concurrency: 1 });
    let calls = 0;
    const flaky: TaskProcessor = async (task) => {
      calls++;
      if (calls === 1) throw new WorkbookError('ERR_REDIS_UNAVAILABLE', 'a blip');
      await delay(1);
      return { path: task.output, format: 'png', width: 1, height: 1, bytes: 1 };
    };
    const tracer = createTaskTracer({ log, carrier });
    const proc = createWorkerProcess(config, {
      processor: tracer.wrap(flaky),
      backoff: { baseMs: 10, maxMs: 20 },
    });
    tracer.attach(proc);
    await proc.start();
    try {
      const { task, context } = await enqueueTraced(queue, log, newTask('flaky'), { carrier });
      const story = await waitFor(
        async () => {
          const s = await readTaskStory(log, task.id);
          return s.outcome === 'done' ? s : null;
        },
        { timeoutMs: 15_000 },
      );
      expect(story.attempts, '🚨 two attempts').toBe(2);
      const types = story.entries.flatMap((e) => (e.kind === 'event' ? [e.event.type] : []));
      expect(types).toEqual(['enqueued', 'started', 'retried', 'started', 'done']);
      const traceIds = new Set(
        story.entries.flatMap((e) => (e.kind === 'event' ? [e.event.traceId] : [])),
      );
      expect(
        [...traceIds],
        "🚨 an attempt must continue the producer's trace: one trace id for the whole story",
      ).toEqual([context.traceId]);
    } finally {
      await proc.stop();
    }
  });
});
