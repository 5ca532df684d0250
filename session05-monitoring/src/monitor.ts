import path from 'node:path';
import { redactUrl } from '@workbook/session04';
import { Chalk, type ChalkInstance } from 'chalk';
import type { QueueInspector } from './queue-inspector.ts';
import type { LeaseInfo, QueueCounts } from './queue-types.ts';
import type { WorkerInfo } from './worker-registry.ts';

/** Everything one frame of the monitor shows: plain data, so rendering is a pure function. */
export interface MonitorSnapshot {
  /** Queue name. */
  queue: string;
  /** Redis URL, password hidden. */
  redis: string;
  /** When it was taken (epoch ms). */
  at: number;
  /** Depths and counters, or `null` when Redis could not be read. */
  counts: QueueCounts | null;
  workers: WorkerInfo[];
  /**
   * Every lease (every task in processing) as Redis holds it: what a dead worker still holds
   * until recovery takes it back. (A heartbeat's report can be up to one interval old.)
   */
  leases: LeaseInfo[];
  /** Tasks finished per second over the meter's window, `null` until two samples exist. */
  throughput: number | null;
  /** Recent notable events, oldest first (the demo adds "SIGKILL worker-2", ...). */
  events: string[];
  /** Why the snapshot is incomplete (Redis unreachable), if it is. */
  error?: string;
}

/**
 * Tasks finished per second over a sliding window: the difference of the finished counter
 * (completed + dead-lettered) between the oldest and newest sample in the window.
 *
 * @example
 * const meter = new ThroughputMeter(5_000);
 * meter.add(0, 10); meter.add(1_000, 14); // 4 tasks/s
 */
export class ThroughputMeter {
  readonly windowMs: number;
  readonly #samples: Array<{ at: number; finished: number }> = [];

  /** @param windowMs how far back the rate looks @default 5000 */
  constructor(windowMs = 5_000) {
    this.windowMs = windowMs;
  }

  /** Adds a sample and returns the current rate (tasks/s), or `null` with one sample. */
  add(at: number, finished: number): number | null {
    this.#samples.push({ at, finished });
    while (this.#samples.length > 2 && this.#samples[0]!.at < at - this.windowMs)
      this.#samples.shift();
    const first = this.#samples[0]!;
    if (this.#samples.length < 2 || at <= first.at) return null;
    return Math.max(0, ((finished - first.finished) * 1000) / (at - first.at));
  }
}

/**
 * Reads one snapshot: queue counts and the registry, in parallel. Never rejects: when Redis is
 * unreachable the snapshot carries `error` and the monitor shows it instead of dying.
 */
export async function takeSnapshot(
  inspector: QueueInspector,
  meter?: ThroughputMeter,
  events: string[] = [],
): Promise<MonitorSnapshot> {
  const at = Date.now();
  const base = { queue: inspector.name, redis: redactUrl(inspector.url), at, events };
  try {
    const [counts, workers, leases] = await Promise.all([
      inspector.counts(),
      inspector.workers(),
      inspector.leases(),
    ]);
    const throughput = meter ? meter.add(at, counts.completed + counts.failed) : null;
    return { ...base, counts, workers, leases, throughput };
  } catch (error) {
    return {
      ...base,
      counts: null,
      workers: [],
      leases: [],
      throughput: null,
      error: (error as Error).message,
    };
  }
}

/** Options of {@link renderMonitor}. */
export interface RenderOptions {
  /** Columns available; longer lines are cut. @default 100 */
  width?: number;
  /** ANSI colours. @default true */
  color?: boolean;
  /** The hint on the title line. @default 'q quits' */
  hint?: string;
  /** Most worker rows (the rest are summarised). @default 12 */
  maxWorkers?: number;
}

/**
 * Renders a snapshot as the dashboard's lines (no trailing newline). Pure: the same snapshot
 * and options always give the same text, so tests call it directly.
 *
 * ```
 *  imgq monitor · queue images · redis://127.0.0.1:6379/ · 21:40:03                q quits
 *  QUEUE    pending 12  processing 3  delayed 1  dlq 2  done 40          5.3 tasks/s
 *           [████████████████░░░░░░░░] 42/58 finished
 *  WORKERS  2 alive · 1 dead
 *   ● worker-a  busy   pid 1234  done 14 failed 1  coffee.png 1.2s
 *   ✖ worker-c  dead   pid 1236  silent 3.4s       was: rocket.jpg
 * ```
 */
export function renderMonitor(snapshot: MonitorSnapshot, options: RenderOptions = {}): string {
  const width = Math.max(40, options.width ?? 100);
  const c = new Chalk({ level: options.color === false ? 0 : 1 });
  const lines: string[] = [];
  const clock = new Date(snapshot.at).toTimeString().slice(0, 8);
  const title = ` imgq monitor · queue ${snapshot.queue} · ${snapshot.redis} · ${clock}`;
  const hint = options.hint ?? 'q quits';
  const room = width - hint.length - 1;
  lines.push(`${c.bold.cyan(clip(title, room).padEnd(room))} ${c.dim(hint)}`);
  lines.push(c.dim('─'.repeat(width)));

  if (snapshot.error || !snapshot.counts) {
    lines.push(c.red(clip(` Redis unavailable: ${snapshot.error ?? 'no data'}`, width)));
    lines.push(
      c.dim(' (retrying every refresh; workers keep their tasks until their leases expire)'),
    );
    return lines.join('\n');
  }
  lines.push(...queueLines(snapshot, c, width));
  lines.push('');
  lines.push(...workerLines(snapshot, c, width, options.maxWorkers ?? 12));
  if (snapshot.events.length > 0) {
    lines.push('');
    lines.push(c.bold(' EVENTS'));
    for (const event of snapshot.events.slice(-6)) lines.push(`  ${clipAnsi(event, width - 2)}`);
  }
  return lines.join('\n');
}

/**
 * One line per refresh for a log or a pipe (no TTY): the same numbers, no cursor movement.
 * @example '21:40:03 pending 12 processing 3 delayed 1 dlq 2 done 40 · workers 2 alive 1 dead · 5.3 tasks/s'
 */
export function renderMonitorLine(snapshot: MonitorSnapshot): string {
  const clock = new Date(snapshot.at).toTimeString().slice(0, 8);
  if (!snapshot.counts) return `${clock} redis unavailable: ${snapshot.error ?? 'no data'}`;
  const { pending, processing, delayed, dlq, completed } = snapshot.counts;
  const alive = snapshot.workers.filter((w) => w.alive).length;
  const dead = snapshot.workers.length - alive;
  return (
    `${clock} pending ${pending} processing ${processing} delayed ${delayed} dlq ${dlq} ` +
    `done ${completed} · workers ${alive} alive ${dead} dead · ${rate(snapshot.throughput)}`
  );
}

function queueLines(snapshot: MonitorSnapshot, c: ChalkInstance, width: number): string[] {
  const n = snapshot.counts!;
  const cell = (label: string, value: number, paint: (s: string) => string) =>
    `${label} ${paint(String(value).padStart(4))}`;
  const depths = [
    cell('pending', n.pending, c.yellow),
    cell('processing', n.processing, c.blue),
    cell('delayed', n.delayed, c.magenta),
    cell('dlq', n.dlq, n.dlq > 0 ? c.red : c.green),
    cell('done', n.completed, c.green),
  ].join('  ');
  const finished = n.completed + n.dlq;
  const total = finished + n.pending + n.processing + n.delayed;
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const filled = total === 0 ? 0 : Math.round((finished / total) * barWidth);
  const bar = c.green('█'.repeat(filled)) + c.dim('░'.repeat(barWidth - filled));
  return [
    clipAnsi(` ${c.bold('QUEUE')}    ${depths}`, width),
    clipAnsi(
      `          [${bar}] ${finished}/${total} finished  ${c.bold(rate(snapshot.throughput))}` +
        (n.recovered > 0 ? c.yellow(`  ${n.recovered} recovered`) : '') +
        (n.retried > 0 ? c.magenta(`  ${n.retried} retries`) : ''),
      width,
    ),
  ];
}

function workerLines(
  snapshot: MonitorSnapshot,
  c: ChalkInstance,
  width: number,
  max: number,
): string[] {
  const alive = snapshot.workers.filter((w) => w.alive).length;
  const dead = snapshot.workers.length - alive;
  const head =
    ` ${c.bold('WORKERS')}  ${c.green(`${alive} alive`)}` +
    (dead > 0 ? ` · ${c.red(`${dead} dead`)}` : '');
  if (snapshot.workers.length === 0)
    return [head, c.dim('   (no worker registered: start one with `imgq worker`)')];
  const idWidth = Math.min(24, Math.max(...snapshot.workers.map((w) => w.id.length)));
  const rows = snapshot.workers.slice(0, max).map((w) => {
    const mark = w.alive ? c.green('●') : c.red('✖');
    const status = w.status.padEnd(8);
    const paint =
      w.status === 'dead'
        ? c.red
        : w.status === 'busy'
          ? c.blue
          : w.status === 'stopping'
            ? c.yellow
            : c.dim;
    const left = `${clip(w.id, idWidth).padEnd(idWidth)}  ${status} pid ${String(w.pid).padEnd(7)}`;
    const counters = w.alive
      ? `done ${String(w.processed - w.failed).padStart(4)} failed ${String(w.failed).padStart(3)}`
      : `silent ${seconds(w.silentForMs).padStart(6)}      `;
    // A live worker: what it runs and for how long (its heartbeat). A dead one runs nothing;
    // what matters is what it still holds — the leases Redis has in its name, until recovery
    // takes them back.
    const tasks = w.alive
      ? w.current.map((t) => `${path.basename(t.input)} ${seconds(snapshot.at - t.since)}`)
      : snapshot.leases.filter((l) => l.owner === w.id).map((l) => path.basename(l.input));
    const doing = tasks.length === 0 ? '—' : (w.alive ? '' : 'still holds: ') + tasks.join(', ');
    const room = width - 3 - visibleLength(left) - counters.length - 3;
    return clipAnsi(
      `  ${mark} ${paint(left)} ${counters}  ${w.alive ? clip(doing, room) : c.dim(clip(doing, room))}`,
      width,
    );
  });
  if (snapshot.workers.length > max)
    rows.push(c.dim(`   … and ${snapshot.workers.length - max} more`));
  return [head, ...rows];
}

function rate(throughput: number | null): string {
  return throughput === null ? '– tasks/s' : `${throughput.toFixed(1)} tasks/s`;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** Cuts a plain string to `width` columns, with an ellipsis. */
function clip(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Cuts a string with ANSI colour codes to `width` visible columns (escapes do not count),
 * closing any colour left open.
 */
function clipAnsi(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = '';
  let shown = 0;
  for (let i = 0; i < text.length && shown < width - 1; ) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
    const code = /^\x1b\[[0-9;]*m/.exec(text.slice(i));
    if (code) {
      out += code[0];
      i += code[0].length;
    } else {
      out += text[i];
      i++;
      shown++;
    }
  }
  return text.includes('\x1b[') ? `${out}…\x1b[0m` : `${out}…`;
}

/** Length without ANSI colour codes. */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}
