/** An AsyncWorker runs 6 image tasks, at most 3 at once, and draws the overlap on a timeline. */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { PipelineSpec } from '@workbook/session02';
import {
  AsyncWorker,
  createImageProcessor,
  InMemoryTaskQueue,
  type TaskEvent,
} from '@workbook/session03';
import { demoOutDir, done, runMain, step, title } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
import { formatMs, LiveView } from './support/live-view.ts';
import { stagePhotos, tasksFor } from './support/photos.ts';
import { maxOverlap, renderTimeline, type Span } from './support/timeline.ts';

const CONCURRENCY = 3;
const PIPELINE: PipelineSpec = {
  steps: [
    { name: 'resize', params: { width: 640 } },
    { name: 'median', params: { size: 3 } },
    { name: 'saturate', params: { factor: 1.4 } },
  ],
  output: { format: 'webp', quality: 80 },
};

await runMain(async () => {
  const outDir = demoOutDir(import.meta.url);
  // Photos of different sizes, so the tasks take different times and the slots refill unevenly.
  const { inDir, names } = stagePhotos(outDir, 6, 5);
  title(`Session 03 · an async worker: up to ${CONCURRENCY} tasks at once`);
  step(`6 tasks: ${names.join(', ')} → resize 640 px, median, saturate → webp`);

  const queue = new InMemoryTaskQueue();
  const worker = new AsyncWorker({
    queue,
    processor: createImageProcessor({ inputRoot: inDir, outputRoot: outDir }),
    concurrency: CONCURRENCY,
    id: 'async-1',
  });
  for (const task of tasksFor(names, PIPELINE)) await queue.enqueue(task);

  const origin = Date.now();
  const spans: Span[] = [];
  const record = ({ task, result }: TaskEvent) => {
    const end = result.finishedAt - origin;
    spans.push({
      label: path.basename(task.input),
      start: end - result.durationMs,
      end,
      ok: result.status === 'completed',
    });
  };
  worker.on('completed', record);
  worker.on('failed', record);
  const allDone = new Promise<void>((resolve) => {
    const check = () => spans.length === names.length && resolve();
    worker.on('completed', check);
    worker.on('failed', check);
  });

  const view = new LiveView([worker], { slots: () => CONCURRENCY });
  view.start();
  await worker.start();
  await allDone;
  await worker.stop();
  view.stop();

  spans.sort((a, b) => a.start - b.start);
  console.log();
  for (const line of renderTimeline(spans)) console.log(line);
  const wall = Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
  const sum = spans.reduce((total, s) => total + (s.end - s.start), 0);
  console.log();
  done(
    `${spans.length} tasks; at most ${maxOverlap(spans)} ran at once (limit ${CONCURRENCY}); ` +
      'each new bar starts where another ends: a slot is refilled as soon as it frees up',
  );
  console.log(
    chalk.dim(
      `  ${formatMs(sum)} of task time in ${formatMs(wall)} of wall time, on ${availableParallelism()} ` +
        "CPU cores. One JavaScript thread is enough for this overlap: sharp runs each pipeline on libuv's " +
        'thread pool, so the event loop only waits. Task times grow when tasks share the cores.',
    ),
  );
  console.log(`\nOutputs: ${outDir}`);
});
