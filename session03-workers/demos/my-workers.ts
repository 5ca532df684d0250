/** YOUR worker pieces at work (03.1-03.4): your LimitedWorker on photos with your health stats, then a mini worker on your BlockingQueue stopped by your stopGracefully. */
import { setTimeout as delay } from 'node:timers/promises';
import { serializeError } from '@workbook/session01';
import type { PipelineSpec } from '@workbook/session02';
import {
  AsyncWorker,
  type BaseWorker,
  DurationStats as CourseDurationStats,
  createImageProcessor,
  InMemoryTaskQueue,
  processImageTask,
  type Task,
} from '@workbook/session03';
import { demoOutDir, done, runMain, step, title, warn } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
import { BlockingQueue } from '#ex/01-blocking-dequeue/blocking-queue.ts';
import { LimitedWorker } from '#ex/02-async-worker-limit/limited-worker.ts';
import { DurationStats, workerStatus } from '#ex/03-health-stats/health-stats.ts';
import { type StopTarget, stopGracefully } from '#ex/04-graceful-stop/graceful-stop.ts';
import { TARGET } from '#ex/target.ts';
import { stagePhotos, tasksFor } from './support/photos.ts';

const CONCURRENCY = 3;
const PIPELINE: PipelineSpec = {
  steps: [{ name: 'resize', params: { width: 480 } }, { name: 'sepia' }],
  output: { format: 'jpeg', quality: 80 },
};

const isTodo = (error: unknown) => serializeError(error).message.includes('TODO');
function todo(exercise: string, what: string, error: unknown, instead: string): void {
  const why = isTodo(error)
    ? chalk.yellow('not solved yet')
    : chalk.red(serializeError(error).message.slice(0, 100));
  console.log(`  🐨 ${exercise} ${what}: ${why} — ${instead}`);
}

await runMain(async () => {
  title(`Session 03 · your worker pieces (${TARGET} code)`);
  const outDir = demoOutDir(import.meta.url);
  const { inDir, names } = stagePhotos(outDir, 8);
  const roots = { inputRoot: inDir, outputRoot: outDir };
  let yours = 0;

  step(`03.2 + 03.3 · LimitedWorker, concurrency ${CONCURRENCY}, on ${names.length} photos`);
  let stats: { record(ms: number): void; average: number | null; p95: number | null };
  let statsAreYours = true;
  try {
    stats = new DurationStats(50);
    yours++;
  } catch (error) {
    statsAreYours = false;
    todo('03.3', 'DurationStats', error, "the course's DurationStats stands in");
    stats = new CourseDurationStats(50);
  }
  const first = await runBatch(
    (queue) =>
      new LimitedWorker({
        queue,
        processor: createImageProcessor(roots),
        concurrency: CONCURRENCY,
        id: 'limited',
      }),
    names,
    stats,
  );
  if (first.ok) yours++;
  else {
    todo('03.2', 'LimitedWorker', first.error, "the course's AsyncWorker runs the photos instead");
    await runBatch(
      (queue) =>
        new AsyncWorker({
          queue,
          processor: createImageProcessor(roots),
          concurrency: CONCURRENCY,
          id: 'async',
        }),
      names,
      stats,
    );
  }
  console.log(
    `  average ${fmt(stats.average)} · p95 ${fmt(stats.p95)} ${chalk.dim(statsAreYours ? '(your DurationStats, 03.3)' : "(the course's DurationStats)")}`,
  );

  console.log();
  step('03.1 + 03.4 · a mini worker fed by your BlockingQueue, stopped by your stopGracefully');
  if (await miniWorker(roots, names.slice(0, 3))) yours += 2;

  console.log();
  if (yours === 4) done(`All four pieces ran: your code does the work (${TARGET} target)`);
  else
    warn(
      `${yours}/4 pieces are yours so far: pnpm check 03, or see the references with pnpm demo my-workers --solution`,
    );
});

/** Runs `names` on one worker; prints what it does; `ok: false` when its loop crashed. */
async function runBatch(
  make: (queue: InMemoryTaskQueue) => BaseWorker,
  names: string[],
  stats: { record(ms: number): void },
): Promise<{ ok: boolean; error?: unknown }> {
  const queue = new InMemoryTaskQueue();
  const worker = make(queue);
  let maxInFlight = 0;
  let statusFails = false;
  worker.on('completed', ({ task, result }) => {
    stats.record(result.durationMs);
    const inFlight = worker.stats().inFlight;
    let status: string;
    try {
      status = workerStatus(worker.lifecycle, inFlight);
    } catch {
      statusFails = true;
      status = worker.status;
    }
    console.log(
      `  ${chalk.green('✔')} ${task.input.padEnd(18)} ${fmt(result.durationMs).padStart(7)}  ${chalk.dim(`status ${status}, ${inFlight} still in flight`)}`,
    );
  });
  for (const task of tasksFor(names, PIPELINE, worker.id)) await queue.enqueue(task);
  await worker.start();
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const { completed, failed } = await queue.stats();
    maxInFlight = Math.max(maxInFlight, worker.stats().inFlight);
    const health = worker.health();
    if (!health.healthy) {
      await worker.stop();
      return { ok: false, error: new Error(health.reason ?? 'unhealthy') };
    }
    if (completed + failed === names.length) break;
    await delay(20);
  }
  await worker.stop();
  await queue.close();
  console.log(
    chalk.dim(
      `  most tasks in flight at once: ${maxInFlight} (limit ${CONCURRENCY})${statusFails ? ' · 🐨 03.3 workerStatus not solved yet: the worker’s own status shown' : ' · status from your workerStatus'}`,
    ),
  );
  return { ok: true };
}

/**
 * A worker made of two pieces: a loop that takes photo names from your BlockingQueue and starts
 * each, and your stopGracefully around it. One of its tasks hangs, so the stop has something
 * to give up on. Returns whether both pieces were yours.
 */
async function miniWorker(
  roots: { inputRoot: string; outputRoot: string },
  names: string[],
): Promise<boolean> {
  const inbox = new BlockingQueue<string>();
  const running = new Map<string, Promise<unknown>>();
  let closed = false;
  try {
    for (const name of [...names, 'hangs-forever']) inbox.push(name);
  } catch (error) {
    todo('03.1', 'BlockingQueue', error, 'the mini worker is skipped');
    return false;
  }
  const loop = (async () => {
    while (!closed) {
      const name = await inbox.take(500).catch(() => null);
      if (name === null) continue;
      const task: Task = {
        id: name,
        pipeline: PIPELINE,
        input: name,
        output: `mini/${name.replace(/\.[^.]+$/, '')}.jpg`,
        attempts: 1,
        createdAt: Date.now(),
      };
      const work = name === 'hangs-forever' ? new Promise(() => {}) : processImageTask(task, roots);
      running.set(name, work);
      console.log(`  ${chalk.cyan('▶')} took ${name} from your BlockingQueue`);
    }
  })();
  await delay(50);
  const target: StopTarget = {
    stopFetching: async () => {
      closed = true;
      inbox.close();
      await loop;
    },
    inFlight: () => new Map(running),
  };
  try {
    const result = await stopGracefully(target, 3_000);
    console.log(
      `  stopGracefully (grace 3 s): finished ${chalk.green(result.finished.join(', ') || '-')} · abandoned ${chalk.yellow(result.abandoned.join(', ') || '-')}`,
    );
    console.log(
      chalk.dim('  an abandoned task is not acked: from session 05 on it goes back to the queue'),
    );
    return true;
  } catch (error) {
    todo('03.4', 'stopGracefully', error, 'stopped by closing the queue and waiting 3 s');
    await target.stopFetching();
    await Promise.race([Promise.all(running.values()), delay(3_000)]);
    return false;
  }
}

function fmt(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
