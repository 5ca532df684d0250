import type { DurationLabels, DurationRecorder } from '@workbook/session09';
import { Histogram, type Registry } from 'prom-client';

/**
 * The task duration histogram: `imgq_task_duration_seconds{queue, outcome}`, in seconds (the
 * base unit), with buckets from 10 ms (a thumbnail) to a minute (a big pipeline).
 */
export function createDurationHistogram(registry: Registry): Histogram<'queue' | 'outcome'> {
  void registry; // (the student forgot to hand it to prom-client)
  return new Histogram({
    name: 'imgq_task_duration_seconds',
    help: 'Time one attempt of a task took in the processor, in seconds.',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
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
