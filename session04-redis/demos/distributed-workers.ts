/** 3 worker processes share 15 image tasks through Redis: who (which pid) did what. */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { PipelineSpec } from '@workbook/session02';
import {
  IMGQ_CLI,
  launchWorkers,
  queueKeys,
  RedisTaskQueue,
  type WorkerLine,
} from '@workbook/session04';
import { demoRedis } from '@workbook/session04/testing';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixturePhotos, waitFor } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { Redis } from 'ioredis';

const PROCESSES = 3;
const TASKS = 15;
const PIPELINE: PipelineSpec = {
  steps: [
    { name: 'resize', params: { width: 480 } },
    { name: 'sharpen', params: { sigma: 1 } },
    { name: 'sepia' },
  ],
  output: { format: 'jpeg', quality: 85 },
};
const COLOURS = [chalk.cyan, chalk.magenta, chalk.yellow, chalk.green, chalk.blue];

await runMain(async () => {
  title(`Session 04 · ${PROCESSES} worker processes, one Redis queue`);
  const redis = await demoRedis();
  const name = `demo-distributed-${randomUUID().slice(0, 8)}`;
  const out = demoOutDir(import.meta.url);
  rmSync(out, { recursive: true, force: true });
  const queue = new RedisTaskQueue({ url: redis.url, name });
  let workers: ReturnType<typeof launchWorkers> | undefined;
  try {
    await queue.connect();

    step(`Starting ${PROCESSES} worker processes: \`imgq worker --json --queue ${name}\``);
    const ready = new Set<number>();
    let finished = 0;
    const started = Date.now();
    workers = launchWorkers({
      count: PROCESSES,
      script: IMGQ_CLI,
      args: ['worker', '--json', '--queue', name],
      env: { REDIS_URL: redis.url },
      onLine: (line) => {
        if (line.json?.event === 'started') ready.add(line.pid);
        if (line.json?.event === 'task') printTask(line, ++finished);
      },
    });
    const colourOf = new Map(workers.processes.map((p) => [p.pid, COLOURS[p.index]!]));
    const printTask = (line: WorkerLine, n: number) => {
      const colour = colourOf.get(line.pid) ?? chalk.white;
      const { status, durationMs, output, error } = line.json as Record<string, unknown>;
      const what =
        status === 'completed'
          ? path.relative(process.cwd(), String(output))
          : chalk.red(`failed: ${(error as { code?: string })?.code}`);
      console.log(
        `  ${chalk.dim(`[${String(n).padStart(2)}/${TASKS}]`)} ${colour(`pid ${line.pid}`)}  ` +
          `${String(durationMs).padStart(4)} ms  ${what}`,
      );
    };
    for (const p of workers.processes)
      console.log(`  ${colourOf.get(p.pid)!(`worker #${p.index}: pid ${p.pid}`)}`);
    await waitFor(() => ready.size === PROCESSES, {
      timeoutMs: 60_000,
      message: 'the worker processes did not start',
    });
    done(`all ${PROCESSES} processes are blocked in BLMOVE, waiting for work`);

    const photos = fixturePhotos();
    const tasks = await queue.enqueueMany(
      Array.from({ length: TASKS }, (_, n) => {
        const photo = photos[n % photos.length]!;
        const base = path.basename(photo).replace(/\.\w+$/, '');
        return {
          pipeline: PIPELINE,
          input: photo,
          output: path.join(out, `${String(n + 1).padStart(2, '0')}-${base}.jpg`),
        };
      }),
    );
    step(
      `Enqueued ${TASKS} tasks in one round trip (${queueKeys(name).pending}); the workers take them:`,
    );
    const enqueuedAt = Date.now();
    await waitFor(
      async () => {
        const stats = await queue.stats();
        return stats.completed + stats.failed === TASKS;
      },
      { timeoutMs: 120_000, intervalMs: 50, message: 'the workers did not finish the tasks' },
    );
    const workMs = Date.now() - enqueuedAt;

    step('Stopping the workers with SIGTERM: each finishes what it holds, then exits');
    const summary = await workers.stop('SIGTERM');
    workers = undefined;

    const byTask = new Map(tasks.map((t, n) => [t.id, n + 1]));
    console.log();
    table(
      summary.processes.map((p) => ({
        process: `#${p.index}`,
        pid: p.pid,
        tasks: p.completed.length,
        failed: p.failed.length,
        'task numbers': p.completed.map((id) => byTask.get(id)).join(' '),
        exit: p.signal ? p.signal : String(p.exitCode),
      })),
    );
    const stats = await queue.stats();
    console.log();
    if (summary.crashed > 0) warn(`${summary.crashed} worker process(es) crashed`);
    done(
      `${stats.completed} completed, ${stats.failed} failed by ${PROCESSES} processes in ` +
        `${(workMs / 1000).toFixed(1)} s of work (${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `with start-up); images in ${path.relative(process.cwd(), out)}/`,
    );
    if (stats.completed !== TASKS) process.exitCode = 1;
  } finally {
    if (workers) await workers.stop('SIGKILL', 1_000);
    if (redis.external) await deleteKeys(redis.url, queueKeys(name).base);
    await queue.close();
    await redis.stop();
  }
});

/** Removes this demo's keys from a Redis someone else owns. */
async function deleteKeys(url: string, base: string): Promise<void> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${base}:*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
