import { createWorkerMetrics } from '@workbook/session09';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createDurationHistogram,
  durationRecorder,
  observeDuration,
} from '#ex/01-duration-histogram/duration-histogram.ts';
import { checkMetricsText } from '../../src/index.ts';

const labels = { queue: 'images', outcome: 'completed' } as const;

/** A sample of prom-client's JSON view (histogram samples carry their own `metricName`). */
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

async function bucketsOf(registry: Registry) {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'imgq_task_duration_seconds',
  );
  return metric && { ...metric, values: metric.values as unknown as Sample[] };
}

describe('09.1 duration histogram', () => {
  it('is imgq_task_duration_seconds, a histogram labelled queue and outcome', async () => {
    const registry = new Registry();
    const histogram = createDurationHistogram(registry);
    observeDuration(histogram, labels, 40);
    const metric = await bucketsOf(registry);
    expect(
      metric,
      '🚨 register the histogram in the given registry, named imgq_task_duration_seconds',
    ).toBeDefined();
    expect(metric?.type, '🚨 it must be a histogram').toBe('histogram');
    expect(metric?.help, '🚨 give it a help text').not.toBe('');
    const sample = metric?.values.find((v) => v.metricName === 'imgq_task_duration_seconds_count');
    expect(sample?.labels, '🚨 labels queue and outcome').toEqual(labels);
  });

  it('has at least 8 increasing buckets in seconds that span image work', async () => {
    const registry = new Registry();
    observeDuration(createDurationHistogram(registry), labels, 40);
    const metric = await bucketsOf(registry);
    const bounds = (metric?.values ?? [])
      .filter((v) => v.metricName === 'imgq_task_duration_seconds_bucket' && v.labels.le !== '+Inf')
      .map((v) => Number(v.labels.le));
    expect(bounds.length, '🚨 at least 8 buckets').toBeGreaterThanOrEqual(8);
    expect(
      bounds[0],
      '🚨 the smallest bucket is 25 ms (0.025 s) or less: buckets are in seconds',
    ).toBeLessThanOrEqual(0.025);
    const largest = bounds[bounds.length - 1] ?? 0;
    expect(largest, '🚨 the largest bucket reaches 30 s or more').toBeGreaterThanOrEqual(30);
    expect(largest, '🚨 buckets are in seconds: nothing beyond 600').toBeLessThanOrEqual(600);
    expect(
      bounds.filter((b) => b >= 0.05 && b <= 2).length,
      '🚨 several buckets between 0.05 s and 2 s',
    ).toBeGreaterThanOrEqual(3);
  });

  it('observes seconds: a 250 ms attempt counts as 0.25 s', async () => {
    const registry = new Registry();
    const histogram = createDurationHistogram(registry);
    observeDuration(histogram, labels, 250);
    const metric = await bucketsOf(registry);
    const sum = metric?.values.find(
      (v) => v.metricName === 'imgq_task_duration_seconds_sum',
    )?.value;
    expect(sum, '🚨 observe seconds, not milliseconds: 250 ms is 0.25').toBeCloseTo(0.25, 6);
  });

  it('feeds the worker metrics and passes promtool check metrics', async () => {
    const metrics = createWorkerMetrics({ duration: durationRecorder, processMetrics: false });
    const histogram = durationRecorder.create(new Registry());
    durationRecorder.observe(histogram, labels, 120);
    const text = await metrics.metrics();
    expect(text, '🚨 the worker metrics use your histogram').toContain(
      '# TYPE imgq_task_duration_seconds histogram',
    );
    const checked = checkMetricsText(text);
    expect(checked.output, '🚨 promtool check metrics').toBe('');
  });
});
