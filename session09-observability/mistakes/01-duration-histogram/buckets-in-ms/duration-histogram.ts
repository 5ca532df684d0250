import type { DurationLabels, DurationRecorder } from '@workbook/session09';
import { Histogram, type Registry } from 'prom-client';

/**
 * The task duration histogram: `imgq_task_duration_seconds{queue, outcome}`, in seconds (the
 * base unit), with buckets from 10 ms (a thumbnail) to a minute (a big pipeline).
 */
export function createDurationHistogram(registry: Registry): Histogram<'queue' | 'outcome'> {
  return new Histogram({
    name: 'imgq_task_duration_seconds',
    help: 'Time one attempt of a task took in the processor, in seconds.',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000],
    registers: [registry],
  });
}

/** Records one attempt that took `durationMs` milliseconds. */
export function observeDuration(
  histogram: Histogram<'queue' | 'outcome'>,
  labels: DurationLabels,
  durationMs: number,
): void {
  histogram.observe(labels, durationMs / 1000);
}

/** Both, as the worker metrics take them (`createWorkerMetrics({ duration })`). */
export const durationRecorder: DurationRecorder = {
  create: createDurationHistogram,
  observe: observeDuration,
};
