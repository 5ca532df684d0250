/** One SimpleWorker runs 3 image tasks one at a time, with JSON logs and a health report. */
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PipelineSpec } from '@workbook/session02';
import {
  createImageProcessor,
  createLogger,
  InMemoryTaskQueue,
  SimpleWorker,
  type Task,
} from '@workbook/session03';
import { demoOutDir, done, runMain, step, table, title } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
import { formatMs, LiveView } from './support/live-view.ts';
import { stagePhotos, tasksFor } from './support/photos.ts';

const PIPELINE: PipelineSpec = {
  steps: [
    { name: 'resize', params: { width: 480 } },
    { name: 'sepia' },
    { name: 'sharpen', params: { sigma: 1 } },
  ],
  output: { format: 'webp', quality: 80 },
};

await runMain(async () => {
  const outDir = demoOutDir(import.meta.url);
  const { inDir, names } = stagePhotos(outDir, 3, 3);
  const logFile = path.join(outDir, 'worker.log');
  const logStream = createWriteStream(logFile);
  // JSON lines to a file: the live view owns the terminal, and logs are for machines anyway.
  const logger = createLogger({
    name: 'simple-worker',
    level: 'debug',
    pretty: false,
    destination: logStream,
  });

  title('Session 03 · a simple worker: one task at a time');
  step(`3 tasks: ${names.join(', ')} → resize 480 px, sepia, sharpen → webp`);

  const queue = new InMemoryTaskQueue();
  const worker = new SimpleWorker({
    queue,
    processor: createImageProcessor({ inputRoot: inDir, outputRoot: outDir }),
    id: 'worker-1',
    logger,
  });
  const tasks: Task[] = [];
  for (const task of tasksFor(names, PIPELINE)) tasks.push(await queue.enqueue(task));

  const view = new LiveView([worker]);
  const allDone = new Promise<void>((resolve) => {
    let finished = 0;
    const count = () => {
      finished++;
      if (finished === tasks.length) resolve();
    };
    worker.on('completed', count);
    worker.on('failed', count);
  });
  const started = performance.now();
  view.start();
  await worker.start();
  await allDone;
  const health = worker.health(); // while it still runs: idle, waiting for more work
  const report = await worker.stop();
  view.stop();
  const elapsed = performance.now() - started;

  const rows = [];
  for (const task of tasks) {
    const result = await queue.result(task.id);
    rows.push({
      task: path.basename(task.input),
      status: result?.status ?? 'missing',
      'time (ms)': Math.round(result?.durationMs ?? 0),
      output: result?.output
        ? path.relative(outDir, result.output.path)
        : (result?.error?.code ?? ''),
      size: result?.output ? `${result.output.width}x${result.output.height}` : '',
    });
  }
  console.log();
  table(rows);
  const stats = worker.stats();
  done(
    `${stats.completed} tasks in ${formatMs(elapsed)}, one after the other ` +
      `(avg ${formatMs(stats.avgDurationMs)}, p95 ${formatMs(stats.p95DurationMs)}); ` +
      `stopped cleanly: ${report.drained}`,
  );

  await new Promise<void>((resolve) => logStream.end(resolve));
  const lines = readFileSync(logFile, 'utf8').trim().split('\n');
  console.log(
    chalk.bold(
      `\nStructured logs: ${lines.length} JSON lines in ${path.relative(process.cwd(), logFile)}`,
    ),
  );
  console.log(
    chalk.dim(
      'Every line of a task carries workerId and taskId (pid, hostname, time left out here):',
    ),
  );
  for (const line of lines.filter((l) => l.includes('"taskId"')).slice(0, 2)) {
    const { pid, hostname, time, ...fields } = JSON.parse(line) as Record<string, unknown>;
    console.log(chalk.dim(`  ${JSON.stringify(fields)}`));
  }
  console.log(chalk.bold('\nHealth report (taken after the last task, before stop)'));
  console.log(chalk.dim(JSON.stringify(health, null, 2)));
  console.log(`\nOutputs: ${outDir}`);
});
