/**
 * The metrics as a real Prometheus sees them: one in-process worker and the queue exporter
 * scraped every second; after a known workload (15 done, 5 dead-lettered, 7 left pending on a
 * queue nobody works) PromQL answers with the expected numbers. Also `promtool check metrics`
 * on both expositions.
 */
import { createWorkerProcess, ReliableTaskQueue } from '@workbook/session05';
import { type RedisServerHandle, testRedis, uniqueName, waitFor } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkMetricsText,
  createWorkerMetrics,
  DASHBOARD_PANELS,
  expandQuery,
  type MetricsServer,
  type PrometheusHandle,
  QueueExporter,
  startMetricsServer,
  startPrometheus,
} from '../src/index.ts';
import { newTask, standInProcessor, testConfig } from './helpers.ts';

let redis: RedisServerHandle;
let prometheus: PrometheusHandle | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await prometheus?.stop();
  await redis?.[Symbol.asyncDispose]();
});

describe('a real Prometheus scraping a worker and the exporter', () => {
  it('answers sum(rate(...)), histogram_quantile(0.95, ...) and the depth gauges after a known workload', async () => {
    const config = testConfig(redis.url, { concurrency: 4 });
    const idle = uniqueName('idle');
    const proc = createWorkerProcess(config, { processor: standInProcessor(300) });
    const metrics = createWorkerMetrics();
    metrics.instrument(proc);
    await proc.start();
    cleanups.push(() => proc.stop());
    const worker: MetricsServer = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      health: () => proc.health(),
    });
    cleanups.push(() => worker.close());
    const exporter = new QueueExporter({ url: redis.url, queues: [config.queue, idle] });
    await exporter.connect();
    cleanups.push(() => exporter.close());
    const exporterServer = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: exporter.registry,
    });
    cleanups.push(() => exporterServer.close());

    prometheus = await startPrometheus({
      jobs: [
        { job: 'imgq-worker', targets: [`127.0.0.1:${worker.port}`] },
        { job: 'imgq-exporter', targets: [`127.0.0.1:${exporterServer.port}`] },
      ],
    });
    const prom = prometheus;
    await prom.waitFor('sum(up)', (s) => s[0]?.value === 2);

    const producer = new ReliableTaskQueue({ url: redis.url, name: config.queue });
    const idleQueue = new ReliableTaskQueue({ url: redis.url, name: idle });
    cleanups.push(
      () => producer.close(),
      () => idleQueue.close(),
    );
    for (let i = 0; i < 15; i++) await producer.enqueue(newTask(`ok-${i}`));
    for (let i = 0; i < 5; i++) await producer.enqueue(newTask(`bad-${i}`));
    for (let i = 0; i < 7; i++) await idleQueue.enqueue(newTask(`waiting-${i}`));
    await waitFor(
      async () => {
        const counts = await producer.counts();
        return counts.completed === 15 && counts.dlq === 5 && counts.processing === 0;
      },
      { timeoutMs: 30_000 },
    );

    const q = `queue="${config.queue}"`;
    const done = await prom.waitFor(
      `sum(imgq_tasks_finished_total{${q},outcome="done"})`,
      (s) => s[0]?.value === 15,
    );
    expect(done[0]?.value, '🚨 15 tasks finished as done').toBe(15);
    const dead = await prom.waitFor(
      `sum by (code) (imgq_tasks_finished_total{${q},outcome="dead_lettered"})`,
      (s) => s[0]?.value === 5,
    );
    expect(dead).toEqual([{ metric: { code: 'ERR_IMAGE_CORRUPT' }, value: 5 }]);

    const rate = await prom.value(`sum(rate(imgq_tasks_finished_total{${q}}[1m]))`);
    expect(rate, '🚨 the finish rate over the last minute is positive').toBeGreaterThan(0);

    // 300 ms of work per task: every completed attempt lands in the (0.25, 0.5] bucket, or a
    // later one on a loaded machine; never below.
    const p95 = await prom.value(
      `histogram_quantile(0.95, sum by (le) (imgq_task_duration_seconds_bucket{${q},outcome="completed"}))`,
    );
    expect(p95, '🚨 p95 of 300 ms tasks is between 0.25 s and 1 s').toBeGreaterThan(0.25);
    expect(p95).toBeLessThanOrEqual(1);
    const count = await prom.value(`sum(imgq_task_duration_seconds_count{${q}})`);
    expect(count, '🚨 one duration observation per attempt').toBe(20);

    const depth = await prom.waitFor(
      `imgq_queue_tasks{queue=~"${config.queue}|${idle}"} > 0`,
      (s) => s.length === 2,
    );
    const byState = Object.fromEntries(
      depth.map((s) => [`${s.metric.queue === idle ? 'idle' : 'work'}:${s.metric.state}`, s.value]),
    );
    expect(byState, '🚨 the exporter reports 5 in the DLQ and 7 pending on the idle queue').toEqual(
      {
        'work:dlq': 5,
        'idle:pending': 7,
      },
    );
    expect(await prom.value(`imgq_workers_live{${q}}`), '🚨 one live worker').toBe(1);
    expect(await prom.value(`imgq_queue_completed_total{${q}}`)).toBe(15);
    expect(await prom.value(`imgq_queue_enqueued_total{queue="${idle}"}`)).toBe(7);
    expect(await prom.value(`imgq_tasks_in_progress{${q}}`)).toBe(0);
    expect(await prom.value(`imgq_worker_heartbeat_age_seconds{${q}}`)).toBeLessThan(1);
    // Node's process metrics come along.
    expect(
      await prom.value('sum(process_resident_memory_bytes{job="imgq-worker"})'),
    ).toBeGreaterThan(0);

    // Every dashboard panel query is valid PromQL and shows data after this workload (a rate
    // needs two scrapes of a series: bounded polling until it has them).
    for (const panel of DASHBOARD_PANELS) {
      for (const { expr } of panel.queries) {
        const query = expandQuery(expr, config.queue);
        const samples = await prom
          .waitFor(query, (found) => found.length > 0, 15_000)
          .catch(() => []);
        expect(
          samples.length,
          `🚨 dashboard panel "${panel.title}" shows data: ${query}`,
        ).toBeGreaterThan(0);
      }
    }

    // promtool's lint on both expositions.
    const workerText = await metrics.metrics();
    const checked = checkMetricsText(workerText);
    expect(checked.output, '🚨 promtool check metrics passes on the worker exposition').toBe('');
    expect(checked.ok).toBe(true);
    const exporterCheck = checkMetricsText(await exporter.metrics());
    expect(
      exporterCheck.output,
      '🚨 promtool check metrics passes on the exporter exposition',
    ).toBe('');
    for (const text of [workerText, await exporter.metrics()]) {
      expect(text, '🚨 no task or image ids as labels').not.toMatch(/task(_id|Id)=|input=/);
    }
  }, 120_000);

  it('refuses an invalid query with ERR_PROMQL_INVALID', async () => {
    prometheus ??= await startPrometheus();
    await expect(prometheus.query('sum(rate(x[5m])')).rejects.toMatchObject({
      code: 'ERR_PROMQL_INVALID',
    });
  });
});
