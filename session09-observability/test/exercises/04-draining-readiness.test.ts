import type { TaskProcessor } from '@workbook/session03';
import { createWorkerProcess, ReliableTaskQueue, type WorkerHealth } from '@workbook/session05';
import { createWorkerMetrics, startMetricsServer } from '@workbook/session09';
import { type RedisServerHandle, testRedis, waitFor } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, probeResponse } from '#ex/04-draining-readiness/probe.ts';
import { newTask, testConfig } from '../helpers.ts';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

const health = (over: Partial<WorkerHealth>): WorkerHealth => ({
  alive: true,
  ready: true,
  status: 'running',
  workerId: 'w1',
  queue: 'images',
  heartbeatAgeMs: 10,
  eventLoopDelayMs: 1,
  inFlight: 0,
  completed: 0,
  failed: 0,
  reasons: [],
  ...over,
});

describe('09.4 readiness that reflects draining', () => {
  it('answers 200 on both probes in normal work, with the health as body', () => {
    const h = health({});
    expect(probeResponse('/healthz', h), '🚨 /healthz is 200 while alive').toEqual({
      status: 200,
      body: h,
    });
    expect(probeResponse('/readyz', h), '🚨 /readyz is 200 while ready and running').toEqual({
      status: 200,
      body: h,
    });
  });

  it('a draining worker is alive but not ready', () => {
    const h = health({ ready: false, status: 'draining' });
    expect(
      probeResponse('/healthz', h).status,
      '🚨 /healthz stays 200 while draining (no restart mid-grace)',
    ).toBe(200);
    expect(
      probeResponse('/readyz', h).status,
      '🚨 /readyz must turn 503 while the worker drains',
    ).toBe(503);
    expect(
      probeResponse('/readyz', health({ ready: true, status: 'draining' })).status,
      '🚨 /readyz is 503 whenever status is not running, even if health.ready still says true: ready AND running',
    ).toBe(503);
  });

  it('not ready when Redis is away; not alive when stuck', () => {
    expect(
      probeResponse('/readyz', health({ ready: false })).status,
      '🚨 /readyz follows health.ready',
    ).toBe(503);
    expect(
      probeResponse('/healthz', health({ alive: false, ready: false })).status,
      '🚨 /healthz is 503 when not alive',
    ).toBe(503);
  });

  it('on a real worker: while it drains, /readyz turns 503 and /healthz stays 200', async () => {
    const config = testConfig(redis.url, { concurrency: 1, gracePeriodMs: 10_000 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held: TaskProcessor = async (task) => {
      await gate;
      return { path: task.output, format: 'png', width: 1, height: 1, bytes: 1 };
    };
    const proc = createWorkerProcess(config, { processor: held });
    const metrics = createWorkerMetrics({ processMetrics: false });
    metrics.instrument(proc);
    await proc.start();
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      health: () => proc.health(),
      probe,
    });
    const producer = new ReliableTaskQueue({ url: redis.url, name: config.queue });
    try {
      const get = async (path: string) => (await fetch(`${server.url}${path}`)).status;
      await waitFor(() => proc.health().ready);
      expect(await get('/readyz'), '🚨 /readyz is 200 in normal work').toBe(200);
      expect(await get('/healthz')).toBe(200);
      await producer.enqueue(newTask('held'));
      await waitFor(() => proc.health().inFlight === 1);
      const stopping = proc.stop();
      await waitFor(() => proc.health().status === 'draining');
      expect(await get('/readyz'), '🚨 /readyz must turn 503 while the worker drains').toBe(503);
      expect(await get('/healthz'), '🚨 /healthz stays 200 while draining').toBe(200);
      release();
      const report = await stopping;
      expect(report.drained, 'the held task finished within the grace period').toBe(true);
    } finally {
      release();
      await proc.stop();
      await server.close();
      await producer.close();
    }
  });
});
