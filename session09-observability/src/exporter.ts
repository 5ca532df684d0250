/**
 * The queue exporter: ONE process that reads the queue's state from Redis when Prometheus
 * scrapes it — depth by state, live workers, each registered worker's heartbeat age, and the
 * queue's own counters. Workers do not report these: ten replicas would report the same depth
 * ten times, and a dead worker reports nothing at all.
 */
import { QueueInspector } from '@workbook/session05';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';
import { METRIC_NAMES } from './metrics.ts';

/** Options of {@link QueueExporter}. */
export interface QueueExporterOptions {
  /** Redis URL. @default 'redis://127.0.0.1:6379' (when no `connection`) */
  url?: string;
  /** A shared connection instead of `url` (it stays open on `close()`). */
  connection?: Redis;
  /** The queues to export. @default ['images'] */
  queues?: readonly string[];
  /** Key prefix. @default 'imgq' */
  prefix?: string;
  /** Where the metrics go. @default a new Registry */
  registry?: Registry;
}

/** Depth states, the `state` label of `imgq_queue_tasks`. */
export const QUEUE_STATES = ['pending', 'processing', 'delayed', 'dlq'] as const;

const COUNTERS = [
  [METRIC_NAMES.queueEnqueued, 'enqueued', 'Tasks enqueued (all producers).'],
  [METRIC_NAMES.queueCompleted, 'completed', 'Tasks done (all workers).'],
  [METRIC_NAMES.queueDeadLettered, 'failed', 'Tasks sent to the dead letter queue.'],
  [METRIC_NAMES.queueRetried, 'retried', 'Failed attempts scheduled for a retry.'],
  [METRIC_NAMES.queueRecovered, 'recovered', 'Tasks taken back from dead or stalled workers.'],
] as const;

/**
 * Exports queue-wide metrics collected at scrape time (one MULTI per queue for the depths and
 * counters, one read of the registry for the workers). Scrape cost does not grow with the
 * number of tasks: `LLEN`/`ZCARD` are O(1).
 *
 * @example
 * const exporter = new QueueExporter({ url: 'redis://127.0.0.1:6379', queues: ['images'] });
 * await exporter.connect();
 * await startMetricsServer({ port: 9465, registry: exporter.registry });
 */
export class QueueExporter {
  readonly registry: Registry;
  readonly queues: readonly string[];
  readonly #inspectors: QueueInspector[];

  constructor(options: QueueExporterOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.queues = options.queues ?? ['images'];
    this.#inspectors = this.queues.map(
      (name) =>
        new QueueInspector({
          name,
          ...(options.connection ? { connection: options.connection } : {}),
          ...(options.url ? { url: options.url } : {}),
          ...(options.prefix ? { prefix: options.prefix } : {}),
        }),
    );
    this.#define();
  }

  /** Waits until Redis answers (fails within `timeoutMs` with the fix). */
  async connect(timeoutMs = 3_000): Promise<void> {
    await Promise.all(this.#inspectors.map((inspector) => inspector.connect(timeoutMs)));
  }

  /** The exposition text (what `/metrics` serves). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Closes the exporter's own connections. */
  async close(): Promise<void> {
    await Promise.all(this.#inspectors.map((inspector) => inspector.close()));
  }

  #define(): void {
    const inspectors = this.#inspectors;
    const registry = this.registry;
    // One read per scrape feeds every metric: the first collect() of a scrape starts it, the
    // last one of the scrape (every collecting metric is called once per scrape) forgets it.
    const collectors = 3 + COUNTERS.length;
    let snapshot: Promise<Snapshot[]> | null = null;
    let calls = 0;
    const read = () => {
      snapshot ??= Promise.all(inspectors.map(readQueue));
      const current = snapshot;
      if (++calls === collectors) {
        calls = 0;
        snapshot = null;
      }
      return current;
    };
    const errors = new Counter({
      name: METRIC_NAMES.scrapeErrors,
      help: 'Scrapes in which the exporter could not read a queue from Redis.',
      labelNames: ['queue'] as const,
      registers: [registry],
    });
    for (const name of this.queues) errors.inc({ queue: name }, 0);
    const safely = async () => {
      const all = await read();
      for (const s of all) if (s.error) errors.inc({ queue: s.queue });
      return all.filter((s) => !s.error);
    };
    new Gauge({
      name: METRIC_NAMES.queueTasks,
      help: 'Tasks in the queue now, by state (pending, processing, delayed, dlq).',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await safely()) {
          for (const state of QUEUE_STATES) this.set({ queue: s.queue, state }, s.counts[state]);
        }
      },
    });
    new Gauge({
      name: METRIC_NAMES.workersLive,
      help: 'Workers whose heartbeat is fresh now.',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await safely()) this.set({ queue: s.queue }, s.live);
      },
    });
    new Gauge({
      name: METRIC_NAMES.workerLastHeartbeatAge,
      help: 'Seconds since each registered worker last heartbeated (dead ones until they are reaped).',
      labelNames: ['queue', 'worker'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await safely()) {
          for (const w of s.workers) this.set({ queue: s.queue, worker: w.id }, w.ageSeconds);
        }
      },
    });
    for (const [metric, field, help] of COUNTERS) {
      new Counter({
        name: metric,
        help: `${help} Read from the queue's counters in Redis.`,
        labelNames: ['queue'] as const,
        registers: [registry],
        async collect() {
          this.reset();
          for (const s of await safely()) this.inc({ queue: s.queue }, s.counts[field]);
        },
      });
    }
  }
}

interface Snapshot {
  queue: string;
  error: boolean;
  counts: Record<(typeof QUEUE_STATES)[number] | (typeof COUNTERS)[number][1], number>;
  live: number;
  workers: Array<{ id: string; ageSeconds: number }>;
}

async function readQueue(inspector: QueueInspector): Promise<Snapshot> {
  try {
    const [counts, workers] = await Promise.all([inspector.counts(), inspector.workers()]);
    return {
      queue: inspector.name,
      error: false,
      counts,
      live: workers.filter((w) => w.alive).length,
      workers: workers.map((w) => ({ id: w.id, ageSeconds: w.silentForMs / 1000 })),
    };
  } catch {
    return {
      queue: inspector.name,
      error: true,
      counts: {
        pending: 0,
        processing: 0,
        delayed: 0,
        dlq: 0,
        enqueued: 0,
        completed: 0,
        failed: 0,
        retried: 0,
        recovered: 0,
      },
      live: 0,
      workers: [],
    };
  }
}
