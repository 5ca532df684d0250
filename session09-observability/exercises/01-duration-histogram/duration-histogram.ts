import type { DurationLabels, DurationRecorder } from '@workbook/session09';
import type { Histogram, Registry } from 'prom-client';

/**
 * The task duration histogram: `imgq_task_duration_seconds{queue, outcome}`.
 * 🐨 Create a prom-client `Histogram` registered in `registry` (`registers: [registry]`), named
 * with its base unit, labelled `queue` and `outcome`, with buckets that fit image work.
 */
export function createDurationHistogram(registry: Registry): Histogram<'queue' | 'outcome'> {
  void registry;
  throw new Error('🐨 TODO (09.1): create the imgq_task_duration_seconds histogram');
}

/**
 * Records one attempt that took `durationMs` milliseconds.
 * 🐨 Observe it in the histogram's unit.
 */
export function observeDuration(
  histogram: Histogram<'queue' | 'outcome'>,
  labels: DurationLabels,
  durationMs: number,
): void {
  void histogram;
  void labels;
  void durationMs;
  throw new Error('🐨 TODO (09.1): observe the duration');
}

/** Both, as the worker metrics take them (`createWorkerMetrics({ duration })`). */
export const durationRecorder: DurationRecorder = {
  create: createDurationHistogram,
  observe: observeDuration,
};
