/**
 * A live view of worker states for the demos: on a terminal it redraws one line per worker in
 * place a few times a second; when the output is a file or a pipe it prints a plain line per
 * event instead (escape codes would only garble a log).
 */
import path from 'node:path';
import type { BaseWorker, TaskEvent, WorkerStats, WorkerStatus } from '@workbook/session03';
import chalk from 'chalk';

const STATUS_COLOUR: Record<WorkerStatus, (text: string) => string> = {
  created: chalk.dim,
  idle: chalk.gray,
  busy: chalk.green,
  stopping: chalk.yellow,
  stopped: chalk.dim,
};

/** `12 ms` or `1.24 s`. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * One line about a worker: status, slots, counters, durations. `since` holds the counters at
 * the start of this view, so `done` counts this run's tasks, not a warm-up's before it.
 */
export function workerLine(
  stats: WorkerStats,
  slots: number,
  since: { completed: number; failed: number } = { completed: 0, failed: 0 },
): string {
  const completed = stats.completed - since.completed;
  const failed = stats.failed - since.failed;
  const status = STATUS_COLOUR[stats.status](stats.status.padEnd(8));
  const used = Math.min(stats.inFlight, slots);
  const bar = chalk.green('■'.repeat(used)) + chalk.dim('□'.repeat(slots - used));
  return [
    chalk.bold(stats.workerId.padEnd(10)),
    status,
    bar,
    `done ${String(completed).padStart(2)}`,
    failed ? chalk.red(`failed ${failed}`) : chalk.dim('failed 0'),
    chalk.dim(`avg ${formatMs(stats.avgDurationMs)} · p95 ${formatMs(stats.p95DurationMs)}`),
  ].join('  ');
}

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  /** Slots shown per worker (its concurrency). @default 1 */
  slots?: (worker: BaseWorker) => number;
  /** A last line under the workers (e.g. the queue depth). */
  footer?: () => string;
}

/** Shows a set of workers while they run. */
export class LiveView {
  readonly #workers: BaseWorker[];
  readonly #options: LiveViewOptions;
  readonly #tty = process.stdout.isTTY === true;
  readonly #started = performance.now();
  #drawn = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Each worker's counters when the view started (tasks done before are not this run's). */
  readonly #since = new Map<BaseWorker, { completed: number; failed: number }>();
  readonly #onFinished = (event: TaskEvent) => this.#printEvent(event);

  constructor(workers: BaseWorker[], options: LiveViewOptions = {}) {
    this.#workers = workers;
    this.#options = options;
  }

  start(): void {
    for (const worker of this.#workers) {
      const { completed, failed } = worker.stats();
      this.#since.set(worker, { completed, failed });
    }
    if (this.#tty) {
      this.#draw();
      this.#timer = setInterval(() => this.#draw(), 100);
    } else {
      for (const worker of this.#workers) {
        worker.on('completed', this.#onFinished);
        worker.on('failed', this.#onFinished);
      }
    }
  }

  /** Stops redrawing and leaves the final state on screen. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#tty) this.#draw();
    else {
      for (const worker of this.#workers) {
        worker.off('completed', this.#onFinished);
        worker.off('failed', this.#onFinished);
        console.log(this.#line(worker));
      }
    }
  }

  #line(worker: BaseWorker): string {
    return workerLine(worker.stats(), this.#slots(worker), this.#since.get(worker));
  }

  #slots(worker: BaseWorker): number {
    return this.#options.slots?.(worker) ?? 1;
  }

  #draw(): void {
    const lines = this.#workers.map((worker) => this.#line(worker));
    if (this.#options.footer) lines.push(chalk.dim(this.#options.footer()));
    // Move the cursor back up over the previous frame, then overwrite it line by line.
    let frame = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : '';
    for (const line of lines) frame += `\x1b[2K${line}\n`;
    process.stdout.write(frame);
    this.#drawn = lines.length;
  }

  #printEvent({ task, result }: TaskEvent): void {
    const at = ((performance.now() - this.#started) / 1000).toFixed(2).padStart(6);
    const name = path.basename(task.input);
    const outcome =
      result.status === 'completed'
        ? `${chalk.green('✔')} ${name} → ${path.basename(task.output)}`
        : `${chalk.red('✖')} ${name} ${chalk.red(result.error?.code ?? '')}`;
    console.log(
      `${chalk.dim(`[${at} s]`)} ${result.workerId.padEnd(10)} ${outcome}  ${formatMs(result.durationMs)}`,
    );
  }
}
