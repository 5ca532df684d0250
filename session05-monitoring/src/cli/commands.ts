import path from 'node:path';
import { redactUrl } from '@workbook/session04';
import { connectOrClose } from '@workbook/session04/cli';
import chalk from 'chalk';
import { renderMonitor, ThroughputMeter, takeSnapshot } from '../monitor.ts';
import { runMonitor } from '../monitor-screen.ts';
import { QueueInspector } from '../queue-inspector.ts';
import { ReliableTaskQueue } from '../reliable-task-queue.ts';
import { runWorkerProcess } from '../run-worker.ts';
import type { WorkerInfo } from '../worker-registry.ts';
import type { CliConfig } from './args.ts';

/** Where a command writes: stdout for results, stderr for people. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
}

type Config<C extends CliConfig['command']> = Extract<CliConfig, { command: C }>;

/** Something a command opens, connects (fails fast, 3 s, when Redis is not there) and closes. */
async function using<T extends { connect(ms: number): Promise<void>; close(): Promise<void> }, R>(
  opened: T,
  work: (opened: T) => Promise<R>,
): Promise<R> {
  await connectOrClose(opened);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

/** Commands that only read (status, workers, monitor, dlq list) use the read-only inspector. */
function withInspector<R>(
  config: { redisUrl: string; queue: string },
  work: (inspector: QueueInspector) => Promise<R>,
): Promise<R> {
  return using(new QueueInspector({ url: config.redisUrl, name: config.queue }), work);
}

/**
 * Commands that change the queue (enqueue, dlq retry/purge, recover) open a queue instance; it
 * never takes a task, so it holds no lease.
 */
function withQueue<R>(
  config: { redisUrl: string; queue: string },
  work: (queue: ReliableTaskQueue) => Promise<R>,
  maxAttempts?: number,
): Promise<R> {
  const queue = new ReliableTaskQueue({
    url: config.redisUrl,
    name: config.queue,
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
  return using(queue, work);
}

/**
 * The queue `imgq enqueue` and `imgq result` (session 04's commands) use here: the reliable
 * queue, so enqueued tasks ring the doorbell and results are read with the lease-aware states.
 */
export async function openCliQueue(config: { redisUrl: string; queue: string }) {
  const queue = await connectOrClose(
    new ReliableTaskQueue({ url: config.redisUrl, name: config.queue }),
  );
  return {
    enqueueMany: (tasks: Parameters<ReliableTaskQueue['enqueueMany']>[0]) =>
      queue.enqueueMany(tasks),
    result: (id: string) => queue.result(id),
    task: (id: string) => queue.inspect(id),
    close: () => queue.close(),
  };
}

/** `imgq worker`: {@link runWorkerProcess} with the command line's settings. */
export function workerCommand(config: Config<'worker'>, io: CliIo): Promise<number> {
  return runWorkerProcess({
    ...config.config,
    untilEmpty: config.untilEmpty,
    json: config.json,
    stdout: io.stdout,
    stderr: io.stderr,
  });
}

/** `imgq status`: every depth, the counters and the live workers. */
export function statusCommand(config: Config<'status'>, io: CliIo): Promise<number> {
  return withInspector(config, async (inspector) => {
    const [counts, workers] = await Promise.all([inspector.counts(), inspector.workers()]);
    const live = workers.filter((w) => w.alive).map((w) => w.id);
    const report = {
      queue: config.queue,
      redis: redactUrl(config.redisUrl),
      pending: counts.pending,
      processing: counts.processing,
      delayed: counts.delayed,
      done: counts.completed,
      dlq: counts.dlq,
      counters: {
        enqueued: counts.enqueued,
        completed: counts.completed,
        deadLettered: counts.failed,
        retried: counts.retried,
        recovered: counts.recovered,
        released: counts.released,
      },
      workers: { alive: live.length, dead: workers.length - live.length, live },
    };
    if (config.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    const row = (label: string, value: number | string) => `  ${label.padEnd(12)}${value}\n`;
    io.stdout.write(
      `queue ${config.queue} at ${report.redis}\n` +
        row('pending', counts.pending) +
        row('processing', counts.processing) +
        row('delayed', counts.delayed) +
        row('done', counts.completed) +
        row('dlq', counts.dlq) +
        row(
          'workers',
          `${live.length} alive${live.length ? ` (${live.join(', ')})` : ''}, ${report.workers.dead} dead`,
        ) +
        `  counters: ${counts.enqueued} enqueued, ${counts.retried} retries, ${counts.recovered} recovered, ` +
        `${counts.released} handed back, ${counts.failed} dead-lettered\n`,
    );
    return 0;
  });
}

/** `imgq workers`: the registry, alive and dead, with what each worker is doing. */
export function workersCommand(config: Config<'workers'>, io: CliIo): Promise<number> {
  return withInspector(config, async (inspector) => {
    const workers = await inspector.workers();
    if (config.json) {
      io.stdout.write(`${JSON.stringify({ queue: config.queue, workers })}\n`);
      return 0;
    }
    if (workers.length === 0) {
      io.stdout.write(
        `No workers registered on queue \`${config.queue}\`. Start one: imgq worker\n`,
      );
      return 0;
    }
    for (const worker of workers) io.stdout.write(`${workerLine(worker)}\n`);
    return 0;
  });
}

function workerLine(w: WorkerInfo): string {
  const state = w.alive ? chalk.green(`● ${w.status}`) : chalk.red('✖ dead');
  const doing = w.current.map((t) => path.basename(t.input)).join(', ') || '—';
  const since = w.alive
    ? `seen ${w.silentForMs} ms ago`
    : `silent for ${(w.silentForMs / 1000).toFixed(1)} s`;
  return (
    `${w.id.padEnd(22)} ${state.padEnd(18)} ${w.host}:${w.pid}  concurrency ${w.concurrency}  ` +
    `done ${w.processed - w.failed}  failed ${w.failed}  ${since}  ${w.alive ? 'running' : 'was running'}: ${doing}`
  );
}

/**
 * `imgq monitor`: the live dashboard until q / Ctrl-C; `--once` prints one frame and exits.
 * With `--json`: the snapshot as JSON (once, or one line per refresh until Ctrl-C).
 */
export function monitorCommand(config: Config<'monitor'>, io: CliIo): Promise<number> {
  return withInspector(config, async (inspector) => {
    if (config.once) {
      const snapshot = await takeSnapshot(inspector);
      if (config.json) io.stdout.write(`${JSON.stringify(snapshot)}\n`);
      else
        io.stdout.write(
          `${renderMonitor(snapshot, { width: io.stdout.columns ?? 100, color: io.stdout.isTTY === true, hint: '' })}\n`,
        );
      return snapshot.error ? 1 : 0;
    }
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      if (config.json) {
        // One JSON snapshot per refresh (JSON lines), for a program to follow.
        const meter = new ThroughputMeter();
        while (!controller.signal.aborted) {
          const snapshot = await takeSnapshot(inspector, meter);
          io.stdout.write(`${JSON.stringify(snapshot)}\n`);
          await sleep(config.intervalMs, controller.signal);
        }
        return 0;
      }
      const monitor = runMonitor({
        inspector,
        intervalMs: config.intervalMs,
        output: io.stdout,
        signal: controller.signal,
      });
      await monitor.done;
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

/** `imgq dlq list`: one page of dead-lettered tasks with their error code. */
export function dlqListCommand(config: Config<'dlq-list'>, io: CliIo): Promise<number> {
  return withInspector(config, async (inspector) => {
    const page = await inspector.deadLetters({ offset: config.offset, limit: config.limit });
    if (config.json) {
      io.stdout.write(`${JSON.stringify({ queue: config.queue, ...page })}\n`);
      return 0;
    }
    if (page.total === 0) {
      io.stdout.write(`The dead letter queue of \`${config.queue}\` is empty.\n`);
      return 0;
    }
    const shown = page.entries.length;
    io.stdout.write(
      `${page.total} dead-lettered task(s) in \`${config.queue}\`; showing ${page.offset + 1}-${page.offset + shown}:\n`,
    );
    for (const entry of page.entries) {
      io.stdout.write(
        `${entry.task.id}  ${chalk.red(entry.error.code)}  ${entry.reason}, ${entry.attempts} attempt(s), ` +
          `last worker ${entry.lastWorker ?? '?'}, ${new Date(entry.deadAt).toISOString()}\n` +
          `    ${path.basename(entry.task.input)}: ${entry.error.message}\n`,
      );
    }
    if (page.offset + shown < page.total) {
      io.stdout.write(
        `More: imgq dlq list --offset ${page.offset + shown} --limit ${config.limit}\n`,
      );
    }
    return 0;
  });
}

/** `imgq dlq retry`: back to pending; exit 1 when an id was not in the DLQ. */
export function dlqRetryCommand(config: Config<'dlq-retry'>, io: CliIo): Promise<number> {
  return withQueue(config, async (queue) => {
    const { retried, missing } = await queue.deadLetters.retry(config.ids, {
      keepAttempts: config.keepAttempts,
    });
    if (config.json) {
      const error =
        missing.length > 0
          ? {
              error: {
                code: 'ERR_DLQ_ENTRY_NOT_FOUND',
                message: `not in the DLQ: ${missing.join(', ')}`,
              },
            }
          : {};
      io.stdout.write(`${JSON.stringify({ queue: config.queue, retried, missing, ...error })}\n`);
    } else {
      io.stdout.write(
        `Moved ${retried.length} task(s) back to pending` +
          `${config.keepAttempts ? ' (attempts kept)' : ' (attempts reset)'}.\n`,
      );
      if (missing.length > 0) {
        io.stderr.write(
          `imgq: ERR_DLQ_ENTRY_NOT_FOUND: not in the dead letter queue of \`${config.queue}\`: ` +
            `${missing.join(', ')}. \`imgq dlq list\` shows what is there.\n`,
        );
      }
    }
    return missing.length > 0 ? 1 : 0;
  });
}

/** `imgq dlq purge`: deletes dead-lettered tasks for good. */
export function dlqPurgeCommand(config: Config<'dlq-purge'>, io: CliIo): Promise<number> {
  return withQueue(config, async (queue) => {
    const purged = await queue.deadLetters.purge(
      config.olderThanMs === undefined ? {} : { olderThanMs: config.olderThanMs },
    );
    if (config.json) io.stdout.write(`${JSON.stringify({ queue: config.queue, purged })}\n`);
    else io.stdout.write(`Purged ${purged} dead-lettered task(s).\n`);
    return 0;
  });
}

/** `imgq recover`: one recovery pass now. */
export function recoverCommand(config: Config<'recover'>, io: CliIo): Promise<number> {
  return withQueue(
    config,
    async (queue) => {
      const report = await queue.recover();
      if (config.json) {
        io.stdout.write(`${JSON.stringify({ queue: config.queue, ...report })}\n`);
      } else {
        io.stdout.write(
          `Recovery: ${report.requeued.length} task(s) back to pending, ` +
            `${report.deadLettered.length} to the DLQ, ${report.promoted} due retr${report.promoted === 1 ? 'y' : 'ies'} ` +
            `promoted, ${report.reapedWorkers.length} dead worker(s) found` +
            `${report.reapedWorkers.length ? ` (${report.reapedWorkers.join(', ')})` : ''}.\n`,
        );
      }
      return 0;
    },
    config.maxAttempts,
  );
}

/** Resolves after `ms`, or at once when `signal` is aborted. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
