/**
 * Shared helpers for benchmarks (`pnpm bench <name>` runs tools/bench/<name>.ts): measure a
 * function, sample peak memory, print a table with ratios to a baseline row, write JSON.
 *
 * @example
 * const rows = [
 *   await measure('naive', () => naive(img), { iterations: 20, unit: 'images' }),
 *   await measure('fused', () => fused(img), { iterations: 20, unit: 'images' }),
 * ];
 * printTable(rows, { baseline: 'naive', title: 'Pipeline: naive vs fused' });
 * writeBenchJson('pipeline', { rows });
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisServerHandle, startRedis } from '@workbook/tools/testkit';
import { Redis } from 'ioredis';

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Timed runs. @default 10 */
  iterations?: number;
  /** Untimed runs first, so JIT and caches are warm. @default 2 */
  warmup?: number;
  /** Work units done per call (e.g. images in a batch), for the throughput column. @default 1 */
  unitsPerIteration?: number;
  /** What a unit is: `images`, `tasks`, `ops`. @default 'ops' */
  unit?: string;
  /** Also sample the RSS of these child processes (e.g. worker processes). */
  childPids?: () => number[];
  /** How often RSS is sampled while measuring. @default 20 */
  sampleEveryMs?: number;
}

/** One row of results. */
export interface Measurement {
  name: string;
  iterations: number;
  unit: string;
  unitsPerIteration: number;
  totalMs: number;
  meanMs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** Units per second over the timed runs. */
  perSecond: number;
  /** Highest RSS seen while measuring (this process + sampled children), bytes. */
  peakRssBytes: number;
}

/** The value at quantile `q` (0-1) of sorted numbers, nearest-rank. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Times `fn` over `iterations` runs after `warmup` untimed runs, sampling peak RSS meanwhile.
 * `fn` gets the iteration number and may be async.
 * @throws {Error} when `iterations` is not an integer >= 1.
 */
export async function measure(
  name: string,
  fn: (iteration: number) => unknown,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const { iterations = 10, warmup = 2, unitsPerIteration = 1, unit = 'ops' } = options;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`Expected \`iterations\` to be an integer >= 1, got \`${iterations}\``);
  }
  for (let i = 0; i < warmup; i++) await fn(i);
  const sampler = new RssSampler({
    childPids: options.childPids,
    everyMs: options.sampleEveryMs ?? 20,
  });
  sampler.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      await fn(i);
      times.push(performance.now() - start);
    }
  } finally {
    sampler.stop();
  }
  const totalMs = times.reduce((a, b) => a + b, 0);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    name,
    iterations,
    unit,
    unitsPerIteration,
    totalMs,
    meanMs: totalMs / iterations,
    medianMs: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    perSecond:
      totalMs > 0 ? (iterations * unitsPerIteration * 1000) / totalMs : Number.POSITIVE_INFINITY,
    peakRssBytes: sampler.peakBytes,
  };
}

/**
 * Resident memory of another process in bytes (Linux `/proc`, elsewhere `ps`), or 0 when it
 * is gone.
 */
export function processRss(pid: number): number {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    try {
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(status, 'utf8'))?.[1];
      return kb ? Number(kb) * 1024 : 0;
    } catch {
      return 0;
    }
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kb = Number(ps.stdout?.trim());
  return Number.isFinite(kb) ? kb * 1024 : 0;
}

/** Options of {@link RssSampler}. */
export interface RssSamplerOptions {
  /** Child processes to add to this process's RSS in each sample. */
  childPids?: (() => number[]) | undefined;
  /** @default 20 */
  everyMs?: number;
}

/**
 * Samples resident memory (this process plus optional children) on a timer and keeps the
 * peak. Sampling is coarse: short spikes between samples can be missed.
 */
export class RssSampler {
  /** Highest total RSS seen so far, bytes. */
  peakBytes = 0;
  readonly #options: RssSamplerOptions;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: RssSamplerOptions = {}) {
    this.#options = options;
  }

  /** Takes one sample now and returns it. */
  sample(): number {
    const children = this.#options.childPids?.() ?? [];
    const total =
      process.memoryUsage().rss + children.reduce((sum, pid) => sum + processRss(pid), 0);
    if (total > this.peakBytes) this.peakBytes = total;
    return total;
  }

  start(): this {
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#options.everyMs ?? 20);
    this.#timer.unref();
    return this;
  }

  stop(): number {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.sample();
    return this.peakBytes;
  }
}

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Name of the row the ratios are relative to. @default the first row */
  baseline?: string;
  title?: string;
}

/**
 * A plain-text table of measurements with the speed ratio of each row to the baseline
 * (`2.40×` means 2.4 times the baseline's throughput).
 * @throws {Error} when `baseline` names no row.
 */
export function formatTable(rows: Measurement[], options: TableOptions = {}): string {
  if (rows.length === 0) return '(no measurements)';
  const base = options.baseline ? rows.find((r) => r.name === options.baseline) : rows[0];
  if (!base) {
    throw new Error(
      `Expected \`baseline\` to name a row (${rows.map((r) => r.name).join(', ')}), got \`${options.baseline}\``,
    );
  }
  const header = ['', 'runs', 'mean ms', 'p95 ms', `${base.unit}/s`, 'vs baseline', 'peak RSS'];
  const body = rows.map((r) => [
    r.name + (r === base ? ' (baseline)' : ''),
    String(r.iterations),
    r.meanMs.toFixed(1),
    r.p95Ms.toFixed(1),
    r.perSecond >= 100 ? r.perSecond.toFixed(0) : r.perSecond.toFixed(2),
    `${ratio(r, base).toFixed(2)}×`,
    `${(r.peakRssBytes / 1024 / 1024).toFixed(0)} MB`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)];
  if (options.title) out.unshift(options.title, '');
  return out.join('\n');
}

/** Throughput of `row` relative to `base` (higher is faster). */
export function ratio(row: Measurement, base: Measurement): number {
  return base.perSecond === 0 ? 0 : row.perSecond / base.perSecond;
}

/** Prints {@link formatTable} to stdout. */
export function printTable(rows: Measurement[], options: TableOptions = {}): void {
  console.log(formatTable(rows, options));
}

/** The repository root (benchmarks write to `<root>/.bench/`). */
export const BENCH_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * Writes `.bench/<name>.json` with the data plus when and where it was measured.
 * @returns the file written.
 */
export function writeBenchJson(
  name: string,
  data: Record<string, unknown>,
  root = BENCH_ROOT,
): string {
  const dir = path.join(root, '.bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const meta = {
    name,
    measuredAt: new Date().toISOString(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
  writeFileSync(file, `${JSON.stringify({ ...meta, ...data }, null, 2)}\n`);
  return file;
}

/** The value after `flag` on the command line (`--runs 5` → `'5'`), or `undefined`. */
export function argValue(flag: string, argv: readonly string[] = process.argv): string | undefined {
  const index = argv.indexOf(flag);
  return index === -1 ? undefined : argv[index + 1];
}

/** The median of some numbers (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// ---- Redis queue benchmarks (queue.ts, recovery.ts) ----------------------------------------

/** What one measured piece of queue work cost. */
export interface Cost {
  ms: number;
  /** CPU time of this process (user + system), microseconds. */
  nodeUs: number;
  /** CPU time of redis-server (user + system), microseconds. */
  redisUs: number;
}

/** One measured run: how many tasks, and what they cost. */
export interface Run extends Cost {
  count: number;
}

/**
 * Measures wall time and the CPU time of this process and of redis-server (INFO cpu) around a
 * function: tasks/s swing with whatever else the machine runs, CPU per task much less.
 * @example const cost = await meter.measure(() => queue.enqueueMany(tasks));
 */
export class Meter {
  readonly #admin: Redis;
  constructor(url: string) {
    this.#admin = new Redis(url);
  }

  async #redisCpuUs(): Promise<number> {
    const info = await this.#admin.info('cpu');
    const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (value('used_cpu_user') + value('used_cpu_sys')) * 1e6;
  }

  async measure(fn: () => Promise<unknown>): Promise<Cost> {
    const redisBefore = await this.#redisCpuUs();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await fn();
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const redisUs = (await this.#redisCpuUs()) - redisBefore;
    return { ms, nodeUs: cpu.user + cpu.system, redisUs };
  }

  close(): void {
    this.#admin.disconnect();
  }
}

/**
 * Starts a private redis-server on a free port and a {@link Meter} on it, runs `fn`, then closes
 * both, even when `fn` throws.
 * @example await withBenchRedis(async (redis, meter) => { ... });
 */
export async function withBenchRedis<T>(
  fn: (redis: RedisServerHandle, meter: Meter) => Promise<T>,
): Promise<T> {
  const redis = await startRedis();
  const meter = new Meter(redis.url);
  try {
    return await fn(redis, meter);
  } finally {
    meter.close();
    await redis[Symbol.asyncDispose]();
  }
}

/** A promise that resolves once `worker` has emitted `completed` `count` times. */
export function completions(
  worker: { on(event: 'completed', listener: () => void): unknown },
  count: number,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = 0;
    worker.on('completed', () => {
      if (++done === count) resolve();
    });
  });
}

/** A queue of one session and a worker on it, as {@link drainQueue} drives them. */
export interface QueueAndWorker<P> {
  queue: { enqueueMany(tasks: P[]): Promise<unknown>; close(): Promise<void> };
  worker: {
    start(): Promise<void>;
    stop(): Promise<unknown>;
    on(event: 'completed', listener: () => void): unknown;
  };
}

/**
 * Fills a fresh queue with `count` copies of `payload` (1,000 a call), then measures `worker`
 * emptying it, and stops the worker and closes the queue.
 */
export async function drainQueue<P>(
  meter: Meter,
  parts: QueueAndWorker<P>,
  payload: P,
  count: number,
): Promise<Cost> {
  const { queue, worker } = parts;
  for (let i = 0; i < count; i += 1_000) {
    await queue.enqueueMany(Array.from({ length: Math.min(1_000, count - i) }, () => payload));
  }
  const finished = completions(worker, count);
  const cost = await meter.measure(async () => {
    await worker.start();
    await finished;
  });
  await worker.stop();
  await queue.close();
  return cost;
}

/** A table row from several runs of one contender: the median rate, and the run times. */
export function runsRow(name: string, samples: Run[]): Measurement {
  const rates = samples.map((r) => (r.count * 1000) / r.ms);
  const times = samples.map((r) => r.ms).sort((a, b) => a - b);
  const totalMs = times.reduce((a, b) => a + b, 0);
  return {
    name,
    iterations: samples.length,
    unit: 'tasks',
    unitsPerIteration: samples[0]!.count,
    totalMs,
    meanMs: totalMs / samples.length,
    medianMs: median(times),
    p95Ms: times.at(-1)!,
    minMs: times[0]!,
    maxMs: times.at(-1)!,
    perSecond: median(rates),
    peakRssBytes: process.memoryUsage().rss,
  };
}
