/**
 * The worker's metrics: a prom-client registry with what one worker process knows (its own
 * outcomes, durations, queue waits, tasks in progress, recoveries it ran, its heartbeat age),
 * attached to a session 05 {@link WorkerProcess} by listening to its queue and worker events.
 * Queue-wide numbers (depth by state, live workers) are the exporter's ({@link QueueExporter}):
 * every worker reporting them would multiply them by the number of replicas.
 */
import type { WorkerProcess } from '@workbook/session05';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Task duration buckets (seconds): a thumbnail takes tens of ms, a big pipeline seconds. */
export const TASK_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** Queue wait buckets (seconds): from an idle fleet (ms) to a backlog of minutes. */
export const QUEUE_WAIT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600,
];

/** Every metric name of the session (worker, exporter). */
export const METRIC_NAMES = {
  tasksFinished: 'imgq_tasks_finished_total',
  taskDuration: 'imgq_task_duration_seconds',
  queueWait: 'imgq_task_queue_wait_seconds',
  inProgress: 'imgq_tasks_in_progress',
  leaseRecoveries: 'imgq_lease_recoveries_total',
  leasesLost: 'imgq_leases_lost_total',
  heartbeatAge: 'imgq_worker_heartbeat_age_seconds',
  queueTasks: 'imgq_queue_tasks',
  workersLive: 'imgq_workers_live',
  workerLastHeartbeatAge: 'imgq_worker_last_heartbeat_age_seconds',
  queueEnqueued: 'imgq_queue_enqueued_total',
  queueCompleted: 'imgq_queue_completed_total',
  queueDeadLettered: 'imgq_queue_dead_lettered_total',
  queueRetried: 'imgq_queue_retried_total',
  queueRecovered: 'imgq_queue_recovered_total',
  scrapeErrors: 'imgq_exporter_scrape_errors_total',
} as const;

/** What a finished attempt led to: `outcome` label of {@link METRIC_NAMES.tasksFinished}. */
export type TaskOutcome = 'done' | 'retried' | 'dead_lettered';

/** Labels of the duration histogram. */
export interface DurationLabels {
  queue: string;
  /** `completed` or `failed` (the attempt, whatever the queue then did with the task). */
  outcome: 'completed' | 'failed';
}

/** Something that records task durations (exercise 09.1 builds one). */
export interface DurationRecorder {
  /** Creates the histogram in `registry`. */
  create(registry: Registry): Histogram<'queue' | 'outcome'>;
  /** Records one attempt that took `durationMs` milliseconds. */
  observe(
    histogram: Histogram<'queue' | 'outcome'>,
    labels: DurationLabels,
    durationMs: number,
  ): void;
}

/** Options of {@link createWorkerMetrics}. */
export interface WorkerMetricsOptions {
  /** Where the metrics go. @default a new Registry */
  registry?: Registry;
  /** Also Node's process metrics (CPU, memory, event loop lag, GC). @default true */
  processMetrics?: boolean;
  /** How the duration histogram is made and fed. @default {@link DEFAULT_DURATION_RECORDER} */
  duration?: DurationRecorder;
}

/** The worker metrics of one process. */
export interface WorkerMetrics {
  readonly registry: Registry;
  /**
   * Attaches the metrics to a session 05 worker process (listeners on its queue and worker,
   * and scrape-time reads of its health). Several processes may share one registry.
   * @returns detach: removes the listeners
   */
  instrument(proc: WorkerProcess): () => void;
  /** The exposition text (what `/metrics` serves). */
  metrics(): Promise<string>;
}

/** The duration histogram of the library: seconds, {@link TASK_DURATION_BUCKETS}. */
export const DEFAULT_DURATION_RECORDER: DurationRecorder = {
  create: (registry) =>
    new Histogram({
      name: METRIC_NAMES.taskDuration,
      help: 'Time one attempt of a task took in the processor, in seconds.',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [...TASK_DURATION_BUCKETS],
      registers: [registry],
    }),
  observe: (histogram, labels, durationMs) => histogram.observe(labels, durationMs / 1000),
};

/** prom-client's default gauges whose `_total` suffix breaks the naming convention. */
const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const CODE = /^ERR_[A-Z0-9_]{1,60}$/;

/**
 * An error code as a label value: codes are a fixed set (`ERR_...`); anything else becomes
 * `ERR_OTHER`, so a bad error can never create a new time series per message.
 */
export function codeLabel(code: unknown): string {
  return typeof code === 'string' && CODE.test(code) ? code : 'ERR_OTHER';
}

/**
 * Creates the worker metrics (see the README's catalogue).
 * @example
 * const metrics = createWorkerMetrics();
 * metrics.instrument(proc);
 * await startMetricsServer({ port: 9464, registry: metrics.registry, health: () => proc.health() });
 */
export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters (`promtool check metrics` rejects them): left out.
    for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  }
  const procs = new Set<WorkerProcess>();
  const finished = new Counter({
    name: METRIC_NAMES.tasksFinished,
    help: 'Attempts finished, by what the queue did with the task: done, retried or dead_lettered (code: the error code, none when done).',
    labelNames: ['queue', 'outcome', 'code'] as const,
    registers: [registry],
  });
  const recorder = options.duration ?? DEFAULT_DURATION_RECORDER;
  const duration = recorder.create(registry);
  const queueWait = new Histogram({
    name: METRIC_NAMES.queueWait,
    help: 'Time from enqueue to the start of the first attempt, in seconds.',
    labelNames: ['queue'] as const,
    buckets: [...QUEUE_WAIT_BUCKETS],
    registers: [registry],
  });
  const recoveries = new Counter({
    name: METRIC_NAMES.leaseRecoveries,
    help: 'Tasks this worker took back from dead or stalled workers (expired leases).',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  const leasesLost = new Counter({
    name: METRIC_NAMES.leasesLost,
    help: 'Leases this worker found taken over while it held them (its result was dropped).',
    labelNames: ['queue'] as const,
    registers: [registry],
  });
  new Gauge({
    name: METRIC_NAMES.inProgress,
    help: 'Tasks being processed by this worker now.',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const proc of procs)
        this.inc({ queue: proc.config.queue }, proc.worker.stats().inFlight);
    },
  });
  new Gauge({
    name: METRIC_NAMES.heartbeatAge,
    help: 'Seconds since this worker last refreshed its registration in Redis.',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const proc of procs) {
        const age = proc.health().heartbeatAgeMs;
        if (age !== null) this.set({ queue: proc.config.queue }, age / 1000);
      }
    },
  });

  return {
    registry,
    metrics: () => registry.metrics(),
    instrument(proc) {
      const queue = proc.config.queue;
      procs.add(proc);
      // Every label combination exists from the start, so rate() sees the first increment.
      finished.inc({ queue, outcome: 'done', code: 'none' }, 0);
      recoveries.inc({ queue }, 0);
      leasesLost.inc({ queue }, 0);
      const off: Array<() => void> = [];
      const on = <T extends unknown[]>(
        emitter: {
          on(e: string, f: (...a: T) => void): unknown;
          off(e: string, f: (...a: T) => void): unknown;
        },
        event: string,
        listener: (...args: T) => void,
      ) => {
        emitter.on(event, listener);
        off.push(() => emitter.off(event, listener));
      };
      on(proc.queue, 'completed', () => finished.inc({ queue, outcome: 'done', code: 'none' }));
      on(proc.queue, 'retried', ({ error }: { error: { code: string } }) =>
        finished.inc({ queue, outcome: 'retried', code: codeLabel(error.code) }),
      );
      on(proc.queue, 'deadLettered', ({ error }: { error: { code: string } }) =>
        finished.inc({ queue, outcome: 'dead_lettered', code: codeLabel(error.code) }),
      );
      on(proc.queue, 'recovered', (report: { requeued: string[]; deadLettered: string[] }) => {
        recoveries.inc({ queue }, report.requeued.length + report.deadLettered.length);
        if (report.deadLettered.length > 0) {
          finished.inc(
            { queue, outcome: 'dead_lettered', code: 'ERR_LEASE_EXPIRED_TOO_OFTEN' },
            report.deadLettered.length,
          );
        }
      });
      on(proc.queue, 'leaseLost', () => leasesLost.inc({ queue }));
      const attempt =
        (outcome: DurationLabels['outcome']) =>
        ({
          task,
          result,
        }: {
          task: { attempts: number; createdAt: number; startedAt?: number };
          result: { durationMs: number };
        }) => {
          recorder.observe(duration, { queue, outcome }, result.durationMs);
          if (task.attempts === 1 && task.startedAt !== undefined) {
            queueWait.observe({ queue }, Math.max(0, task.startedAt - task.createdAt) / 1000);
          }
        };
      on(proc.worker, 'completed', attempt('completed'));
      on(proc.worker, 'failed', attempt('failed'));
      return () => {
        for (const remove of off.splice(0)) remove();
        procs.delete(proc);
      };
    },
  };
}
