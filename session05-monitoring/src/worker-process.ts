import { randomUUID } from 'node:crypto';
import { serializeError } from '@workbook/session01';
import {
  createImageProcessor,
  createLogger,
  type LogLevel,
  type TaskProcessor,
} from '@workbook/session03';
import { redactUrl, redisUrlFromEnv } from '@workbook/session04';
import type { BackoffOptions } from './backoff.ts';
import { ReliableTaskQueue } from './reliable-task-queue.ts';
import { ReliableWorker } from './reliable-worker.ts';
import { installGracefulShutdown, type SignalSource } from './shutdown.ts';

/** Options of {@link runWorkerProcess}. Every timing has a production default; tests shorten them. */
export interface WorkerProcessOptions {
  /** @default process.env.REDIS_URL, else 'redis://127.0.0.1:6379' */
  redisUrl?: string;
  /** Queue name. @default 'images' */
  queue?: string;
  /** Worker id (lease owner, registry entry). @default `worker-<pid>-<4 hex>` */
  id?: string;
  /** @default 1 */
  concurrency?: number;
  /** @default createImageProcessor() (session 03: session 02's processImage) */
  processor?: TaskProcessor;
  /** @default 2000 (see ReliableTaskQueueOptions.leaseMs) */
  leaseMs?: number;
  /** @default 500 */
  heartbeatIntervalMs?: number;
  /** @default 2000 */
  heartbeatTtlMs?: number;
  /** @default 500 */
  recoveryIntervalMs?: number;
  /** How long a SIGTERM waits for in-flight tasks before handing them back. @default 10000 */
  gracePeriodMs?: number;
  /** @default 5 */
  maxAttempts?: number;
  /** @default DEFAULT_BACKOFF */
  backoff?: BackoffOptions;
  /** Stop (exit 0) once nothing is pending, delayed or processing. @default false */
  untilEmpty?: boolean;
  /**
   * Print one JSON line per event on `stdout` (`started`, `task`, `recovered`, `released`,
   * `stopped`, ...), which session 04's process launcher counts. Otherwise print short lines
   * for people.
   * @default false
   */
  json?: boolean;
  /** Log level of the JSON logs written to stderr. @default 'warn' */
  logLevel?: LogLevel;
  /** @default process.stdout */
  stdout?: { write(text: string): unknown };
  /** @default process.stderr */
  stderr?: { write(text: string): unknown };
  /** @default process */
  signals?: SignalSource;
  /** Called on a second signal with 128 + n. @default process.exit */
  exit?: (code: number) => void;
}

/**
 * A whole worker process: a reliable queue, a {@link ReliableWorker} (registry, heartbeats,
 * lease extension, recovery) and two-phase signal handling. `imgq worker`, the demos and the
 * reliability tests all run this.
 *
 * Resolves with the exit code once the worker has stopped: 0 after a graceful stop (first
 * SIGTERM/SIGINT, or an empty queue with `untilEmpty`), 1 when stopping failed. A second signal
 * calls `exit(128 + n)` at once. Rejects only when the worker cannot start (e.g.
 * `ERR_REDIS_UNAVAILABLE`).
 *
 * @example
 * process.exitCode = await runWorkerProcess({ queue: 'images', concurrency: 2, json: true });
 */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const redisUrl = options.redisUrl ?? redisUrlFromEnv();
  const id = options.id ?? `worker-${process.pid}-${randomUUID().slice(0, 4)}`;
  const logger = createLogger({
    name: 'imgq-worker',
    level: options.logLevel ?? 'warn',
    pretty: false,
    destination: stderr,
  });
  const queue = new ReliableTaskQueue({
    url: redisUrl,
    name: options.queue ?? 'images',
    owner: id,
    logger,
    // As session 04's `imgq worker`: one round trip fetches as many tasks as run at once.
    prefetch: options.concurrency ?? 1,
    ...pick(options, ['leaseMs', 'maxAttempts', 'backoff']),
  });
  const emit = (line: Record<string, unknown>) => {
    if (options.json)
      stdout.write(`${JSON.stringify({ ...line, workerId: id, pid: process.pid })}\n`);
  };
  const say = (text: string) => {
    if (!options.json) stdout.write(`${text}\n`);
  };
  reportQueueEvents(queue, emit, say);

  try {
    await queue.connect(3_000);
  } catch (error) {
    await queue.close();
    throw error;
  }
  const worker = new ReliableWorker({
    queue,
    logger,
    concurrency: options.concurrency ?? 1,
    processor: options.processor ?? createImageProcessor(),
    ...pick(options, [
      'heartbeatIntervalMs',
      'heartbeatTtlMs',
      'recoveryIntervalMs',
      'gracePeriodMs',
    ]),
  });

  const stop = async () => {
    const report = await worker.stop();
    await queue.close();
    return report;
  };
  let stopped: Promise<number> | null = null;
  const stopOnce = () => {
    stopped ??= stop().then(
      () => 0,
      (error: unknown) => {
        logger.error({ err: serializeError(error) }, 'stopping failed');
        return 1;
      },
    );
    return stopped;
  };
  const shutdown = installGracefulShutdown({
    stop: stopOnce,
    ...(options.signals ? { signals: options.signals } : {}),
    // The graceful path ends by resolving this function; only the forced one exits here.
    exit: (code) => {
      if (code >= 128) (options.exit ?? process.exit)(code);
    },
    onSignal: (signal, phase) => {
      emit({ event: phase === 'graceful' ? 'stopping' : 'forced-exit', signal });
      if (phase === 'graceful') {
        say(
          `${signal}: finishing tasks in flight (up to ${worker.gracePeriodMs} ms); again to exit now`,
        );
      } else {
        say(`${signal} again: exiting now; recovery will hand my tasks to other workers`);
      }
    },
  });
  worker.on('stopped', (report) =>
    emit({
      event: 'stopped',
      drained: report.drained,
      abandoned: report.abandoned.map((a) => a.task.id),
      ...pick(worker.stats(), ['completed', 'failed']),
    }),
  );

  await worker.start();
  emit({
    event: 'started',
    queue: queue.name,
    concurrency: worker.concurrency,
    leaseMs: queue.leaseMs,
  });
  say(
    `Worker ${id} (pid ${process.pid}) on queue \`${queue.name}\` at ${redactUrl(redisUrl)}, ` +
      `concurrency ${worker.concurrency}. Ctrl-C stops it gracefully.`,
  );

  const idle = options.untilEmpty ? watchUntilEmpty(queue, worker, stopOnce) : undefined;
  const code = await new Promise<number>((resolve) => {
    worker.once('stopped', () => {
      void (stopped ?? stopOnce()).then(resolve);
    });
  });
  if (idle) clearInterval(idle);
  shutdown.uninstall();
  const stats = worker.stats();
  say(`Worker ${id} stopped: ${stats.completed} done, ${stats.failed} failed attempts.`);
  return code;
}

/** Stops the worker once nothing is left to do anywhere in the queue. */
function watchUntilEmpty(
  queue: ReliableTaskQueue,
  worker: ReliableWorker,
  stop: () => Promise<number>,
): NodeJS.Timeout {
  const timer = setInterval(async () => {
    if (worker.lifecycle !== 'running' || worker.stats().inFlight > 0) return;
    const counts = await queue.counts().catch(() => null);
    if (counts && counts.pending + counts.delayed + counts.processing === 0) void stop();
  }, 200);
  timer.unref();
  return timer;
}

function reportQueueEvents(
  queue: ReliableTaskQueue,
  emit: (line: Record<string, unknown>) => void,
  say: (text: string) => void,
): void {
  queue.on('completed', ({ taskId }) => {
    emit({ event: 'task', taskId, status: 'completed' });
    say(`done    ${taskId}`);
  });
  queue.on('retried', ({ task, error, delayMs }) => {
    emit({
      event: 'task',
      taskId: task.id,
      status: 'retry',
      attempt: task.attempts,
      code: error.code,
      delayMs,
    });
    say(
      `retry   ${task.id}  attempt ${task.attempts} failed with ${error.code}; again in ${delayMs} ms`,
    );
  });
  queue.on('deadLettered', ({ task, error, reason }) => {
    emit({ event: 'task', taskId: task.id, status: 'failed', code: error.code, reason });
    say(`DLQ     ${task.id}  ${error.code} (${reason}): ${error.message}`);
  });
  queue.on('leaseLost', ({ taskId, operation }) => {
    emit({ event: 'leaseLost', taskId, operation });
    say(`lost    ${taskId}  lease taken over (${operation}); result dropped`);
  });
  queue.on('recovered', (report) => {
    if (report.requeued.length + report.deadLettered.length === 0) return;
    emit({ event: 'recovered', ...report });
    say(
      `recover ${report.requeued.length} task(s) back to pending, ${report.deadLettered.length} to the DLQ`,
    );
  });
  queue.on('released', ({ taskIds }) => {
    emit({ event: 'released', taskIds });
    say(`release ${taskIds.length} unfinished task(s) handed back to the queue`);
  });
}

function pick<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}
