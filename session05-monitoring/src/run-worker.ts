import { serializeError } from '@workbook/session01';
import type { TaskProcessor } from '@workbook/session03';
import { redactUrl } from '@workbook/session04';
import type { BackoffOptions } from './backoff.ts';
import type { ReliableTaskQueue } from './reliable-task-queue.ts';
import { installGracefulShutdown, type SignalSource } from './shutdown.ts';
import { loadWorkerConfig, type WorkerConfig } from './worker-config.ts';
import { createWorkerProcess, type WorkerProcess } from './worker-process.ts';

/**
 * Options of {@link runWorkerProcess}: any setting of {@link WorkerConfig} by its one name
 * (what is not given comes from the environment, then the defaults), plus how the process talks.
 */
export interface WorkerProcessOptions extends Partial<WorkerConfig> {
  /** @default createImageProcessor() (session 03: session 02's processImage) */
  processor?: TaskProcessor;
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
  /** Where settings not given as options are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default process.stdout */
  stdout?: { write(text: string): unknown };
  /** Where logs go. @default process.stderr */
  stderr?: { write(text: string): unknown; isTTY?: boolean };
  /** @default process */
  signals?: SignalSource;
  /** Called on a second signal with 128 + n. @default process.exit */
  exit?: (code: number) => void;
  /**
   * Called once the process is built, before it starts: listeners attached here see every
   * queue event, the recovery pass at start-up included (metrics, trace events).
   */
  onCreated?: (process: WorkerProcess) => void;
  /** Called once the process is running (to attach a health server, for example). */
  onStarted?: (process: WorkerProcess) => void;
}

/**
 * A whole worker process with two-phase signal handling: {@link createWorkerProcess} started,
 * SIGTERM/SIGINT stopping it gracefully, a second signal exiting at once. `imgq worker`, the
 * container entry (`bin/imgq-worker.mjs`), the demos and the reliability tests all run this.
 *
 * Resolves with the exit code once the worker has stopped: 0 after a graceful stop (first
 * SIGTERM/SIGINT, or an empty queue with `untilEmpty`), 1 when stopping failed. A second signal
 * calls `exit(128 + n)` at once. Rejects only when the worker cannot start (`ERR_INVALID_CONFIG`,
 * `ERR_REDIS_UNAVAILABLE`, ...).
 *
 * @example
 * process.exitCode = await runWorkerProcess({ queue: 'images', concurrency: 2, json: true });
 */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const {
    processor,
    backoff,
    untilEmpty,
    json,
    env,
    signals,
    exit,
    onCreated,
    onStarted,
    ...settings
  } = options;
  const config = loadWorkerConfig(env ?? process.env, settings, stderr.isTTY === true);
  const proc = createWorkerProcess(config, {
    ...(processor ? { processor } : {}),
    ...(backoff ? { backoff } : {}),
    logDestination: stderr,
  });
  onCreated?.(proc);
  const { queue, worker } = proc;
  const id = config.workerId;
  const emit = (line: Record<string, unknown>) => {
    if (json) stdout.write(`${JSON.stringify({ ...line, workerId: id, pid: process.pid })}\n`);
  };
  const say = (text: string) => {
    if (!json) stdout.write(`${text}\n`);
  };
  reportQueueEvents(queue, emit, say);

  let stopped: Promise<number> | null = null;
  const stopOnce = () => {
    stopped ??= proc.stop().then(
      () => 0,
      (error: unknown) => {
        proc.logger.error({ err: serializeError(error) }, 'stopping failed');
        return 1;
      },
    );
    return stopped;
  };
  const shutdown = installGracefulShutdown({
    stop: stopOnce,
    ...(signals ? { signals } : {}),
    // The graceful path ends by resolving this function; only the forced one exits here.
    exit: (code) => {
      if (code >= 128) (exit ?? process.exit)(code);
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
      completed: worker.stats().completed,
      failed: worker.stats().failed,
    }),
  );

  try {
    await proc.start();
  } catch (error) {
    shutdown.uninstall();
    throw error;
  }
  emit({
    event: 'started',
    queue: queue.name,
    concurrency: worker.concurrency,
    leaseMs: queue.leaseMs,
  });
  say(
    `Worker ${id} (pid ${process.pid}) on queue \`${queue.name}\` at ${redactUrl(config.redisUrl)}, ` +
      `concurrency ${worker.concurrency}. Ctrl-C stops it gracefully.`,
  );
  onStarted?.(proc);

  const idle = untilEmpty ? watchUntilEmpty(proc, stopOnce) : undefined;
  await proc.stopped;
  const code = await (stopped ?? stopOnce());
  if (idle) clearInterval(idle);
  shutdown.uninstall();
  const stats = worker.stats();
  say(`Worker ${id} stopped: ${stats.completed} done, ${stats.failed} failed attempts.`);
  return code;
}

/** Stops the worker once nothing is left to do anywhere in the queue. */
function watchUntilEmpty(proc: WorkerProcess, stop: () => Promise<number>): NodeJS.Timeout {
  const timer = setInterval(async () => {
    if (proc.worker.lifecycle !== 'running' || proc.worker.stats().inFlight > 0) return;
    const counts = await proc.inspector.counts().catch(() => null);
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
