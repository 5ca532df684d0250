/**
 * A load generator for the queue: a burst of N tasks, a steady rate, or a sine-shaped rate,
 * each task one of the given photos through a small pipeline. The shape is a pure function
 * (how many tasks by time t), so it is tested without a clock; {@link runLoad} enqueues
 * whatever is due every tick.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkDuration,
  checkInteger,
  checkNumber,
  describeValue,
  InvalidOptionError,
} from '@workbook/session01';
import type { PipelineSpec } from '@workbook/session02';
import type { NewTask } from '@workbook/session03';
import { ReliableTaskQueue } from '@workbook/session05';

/** The shape of the load over time. */
export type LoadPattern =
  /** `count` tasks at once. */
  | { kind: 'burst'; count: number }
  /** `rate` tasks per second for `durationMs`. */
  | { kind: 'steady'; rate: number; durationMs: number }
  /**
   * `rate(t) = mean + amplitude × sin(2π t / periodMs)` tasks per second (never below 0), for
   * `durationMs`.
   */
  | { kind: 'sine'; mean: number; amplitude: number; periodMs: number; durationMs: number };

/**
 * Checks a pattern.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` naming the field.
 */
export function checkPattern(pattern: LoadPattern): LoadPattern {
  switch (pattern?.kind) {
    case 'burst':
      checkInteger('count', pattern.count, { min: 1 });
      return pattern;
    case 'steady':
      checkNumber('rate', pattern.rate, { min: Number.MIN_VALUE });
      checkDuration('durationMs', pattern.durationMs);
      return pattern;
    case 'sine':
      checkNumber('mean', pattern.mean, { min: 0 });
      checkNumber('amplitude', pattern.amplitude, { min: 0 });
      checkDuration('periodMs', pattern.periodMs);
      checkDuration('durationMs', pattern.durationMs);
      return pattern;
    default:
      throw new InvalidOptionError(
        `Expected \`kind\` to be one of \`burst\`, \`steady\`, \`sine\`, got ${describeValue((pattern as { kind?: unknown })?.kind)}`,
      );
  }
}

/** How long a pattern lasts (ms): 0 for a burst. */
export function patternDurationMs(pattern: LoadPattern): number {
  return pattern.kind === 'burst' ? 0 : pattern.durationMs;
}

/**
 * How many tasks the pattern has sent by `elapsedMs` (whole tasks, rounded down): the integral
 * of its rate. A burst sends everything at 0.
 * @example
 * tasksDueBy({ kind: 'steady', rate: 4, durationMs: 10_000 }, 2_500) // 10
 */
export function tasksDueBy(pattern: LoadPattern, elapsedMs: number): number {
  if (pattern.kind === 'burst') return elapsedMs >= 0 ? pattern.count : 0;
  const t = Math.min(Math.max(elapsedMs, 0), pattern.durationMs) / 1000;
  if (pattern.kind === 'steady') return Math.floor(pattern.rate * t + 1e-9);
  // ∫ max(0, mean + a·sin(ωt)) dt — numerically, in 10 ms steps (the rate may clip at 0).
  const { mean, amplitude } = pattern;
  const omega = (2 * Math.PI * 1000) / pattern.periodMs;
  const step = 0.01;
  let total = 0;
  for (let x = 0; x < t; x += step) {
    const dx = Math.min(step, t - x);
    total += Math.max(0, mean + amplitude * Math.sin(omega * (x + dx / 2))) * dx;
  }
  return Math.floor(total + 1e-9);
}

/** The pipeline each load task runs: a 320 px wide WebP (fast, and a real decode/encode). */
export const LOAD_PIPELINE: PipelineSpec = {
  steps: [{ name: 'resize', params: { width: 320 } }],
  output: { format: 'webp' },
};

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Redis to enqueue on. */
  redisUrl: string;
  /** Queue name. @default 'images' */
  queue?: string;
  pattern: LoadPattern;
  /** Input images, used in turn. */
  photos: readonly string[];
  /** Where outputs go (created). */
  outDir: string;
  /** Pipeline of every task. @default LOAD_PIPELINE */
  pipeline?: PipelineSpec;
  /** Wall time between enqueue rounds. @default 100 */
  tickMs?: number;
  /** Called after each round with the total sent so far. */
  onProgress?: (sent: number, total: number) => void;
  /** Stops early when aborted (what was sent stays queued). */
  signal?: AbortSignal;
}

/** What {@link runLoad} did. */
export interface LoadReport {
  sent: number;
  taskIds: string[];
  durationMs: number;
}

/** The total a pattern sends. */
export function patternTotal(pattern: LoadPattern): number {
  return tasksDueBy(pattern, patternDurationMs(pattern));
}

/**
 * Enqueues the pattern's tasks on the queue as their time comes (a burst at once).
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad pattern or no photos; session 04's
 * `ERR_REDIS_UNAVAILABLE` when Redis does not answer within 3 s.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const pattern = checkPattern(options.pattern);
  if (!Array.isArray(options.photos) || options.photos.length === 0) {
    throw new InvalidOptionError(
      `Expected \`photos\` to be a non-empty array of image paths, got ${describeValue(options.photos)}`,
    );
  }
  const tickMs = checkDuration('tickMs', options.tickMs ?? 100);
  const pipeline = options.pipeline ?? LOAD_PIPELINE;
  const ext = pipeline.output?.format ?? 'png';
  mkdirSync(options.outDir, { recursive: true });
  const queue = new ReliableTaskQueue({ url: options.redisUrl, name: options.queue ?? 'images' });
  const total = patternTotal(pattern);
  const taskIds: string[] = [];
  const start = Date.now();
  try {
    await queue.connect(3_000);
    let sent = 0;
    for (;;) {
      const due = Math.min(total, tasksDueBy(pattern, Date.now() - start));
      if (due > sent) {
        const batch: NewTask[] = [];
        for (let n = sent; n < due; n++) {
          const input = options.photos[n % options.photos.length]!;
          const name = `${String(n).padStart(5, '0')}-${path.parse(input).name}.${ext}`;
          batch.push({ pipeline, input, output: path.join(options.outDir, name) });
        }
        const tasks = await queue.enqueueMany(batch);
        taskIds.push(...tasks.map((t) => t.id));
        sent = due;
        options.onProgress?.(sent, total);
      }
      if (sent >= total || options.signal?.aborted) break;
      await sleep(tickMs);
    }
    return { sent, taskIds, durationMs: Date.now() - start };
  } finally {
    await queue.close();
  }
}
