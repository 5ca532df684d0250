/** YOUR queue pieces at work (04.1-04.3): 3 processes started by your runWorkers take and ack image tasks with your reliableTake and ackWithResult. */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serializeError } from '@workbook/session01';
import { conditionFlags, launchWorkers, queueKeys } from '@workbook/session04';
import { demoRedis } from '@workbook/session04/testing';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixturePhotos } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { Redis } from 'ioredis';
import { reliableTake } from '#ex/01-atomic-dequeue/reliable-take.ts';
import { ackWithResult } from '#ex/02-ack-with-result/ack-with-result.ts';
import { runWorkers, type WorkerReport } from '#ex/03-process-launcher/run-workers.ts';
import { TARGET } from '#ex/target.ts';

const PROCESSES = 3;
const WORKER = fileURLToPath(new URL('./support/my-queue-worker.ts', import.meta.url));
const PIPELINE = {
  steps: [{ name: 'resize', params: { width: 320 } }, { name: 'sepia' }],
  output: { format: 'jpeg', quality: 80 },
};

await runMain(async () => {
  title(`Session 04 · your queue pieces: ${PROCESSES} processes, one Redis (${TARGET} code)`);
  const redis = await demoRedis();
  const client = new Redis(redis.url);
  const name = `demo-my-queue-${randomUUID().slice(0, 8)}`;
  const keys = queueKeys(name);
  const out = demoOutDir(import.meta.url);
  rmSync(out, { recursive: true, force: true });
  try {
    const photos = fixturePhotos();
    const tasks = photos.map((file, n) => {
      const id = `t${n + 1}`;
      const output = `${path.basename(file, path.extname(file))}.jpg`;
      return { id, pipeline: PIPELINE, input: path.basename(file), output, attempts: 0 };
    });
    for (const task of tasks) {
      await client.hset(keys.task(task.id), 'data', JSON.stringify(task));
      await client.lpush(keys.pending, task.id);
    }
    step(`${tasks.length} task ids LPUSHed onto ${keys.pending}`);
    // Each piece tried once, on keys of their own, so the output says which code runs.
    const probe = queueKeys(`${name}-probe`);
    await piece('04.1 reliableTake', 'takes the ids in the workers', () =>
      reliableTake(client, probe, 0),
    );
    await piece('04.2 ackWithResult', 'acks each task in the workers', () =>
      ackWithResult(client, probe, 'nothing', '{}', 1_000),
    );

    // The worker processes run TypeScript through tsx, with this demo's side of the switch.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const command = [
      process.execPath,
      ...conditionFlags(process.execArgv),
      '--import',
      tsx,
      WORKER,
    ];
    const env = {
      REDIS_URL: redis.url,
      QUEUE: name,
      IN_DIR: path.dirname(photos[0] ?? '.'),
      OUT_DIR: out,
    };
    step(`Starting ${PROCESSES} worker processes with runWorkers (04.3)`);
    let reports: WorkerReport[];
    try {
      reports = await runWorkers({ count: PROCESSES, command, env });
      console.log(
        `  ${chalk.green('✔')} 04.3 runWorkers: your launcher started and collected them`,
      );
    } catch (error) {
      const todo = serializeError(error).message.includes('TODO');
      console.log(
        `  🐨 04.3 runWorkers ${todo ? chalk.yellow('not solved yet') : chalk.red(String(error))}: the course's launchWorkers stands in`,
      );
      reports = await fallbackLaunch(command, env);
    }

    const results = await Promise.all(tasks.map((t) => client.get(keys.result(t.id))));
    const left = await client.llen(keys.processing);
    console.log();
    table(
      reports.map((r) => ({
        process: `#${r.index}`,
        pid: r.pid,
        exit: r.exitCode ?? 'signal',
        tasks: r.completed.join(' '),
      })),
    );
    const stored = results.filter((r) => r !== null).length;
    console.log(
      `\n${stored}/${tasks.length} results stored; ${left} id(s) left in processing. Images: ${chalk.cyan(path.relative(process.cwd(), out))}`,
    );
    if (stored === tasks.length && left === 0) done('Every task taken once, processed and acked');
    else
      warn(
        'Not every task ended acked: finish 04.1 and 04.2 (pnpm check 04), or run with --solution',
      );
  } finally {
    client.disconnect();
    await redis.stop();
  }
});

/** The course's launcher, for a runWorkers still at its TODO: the same reports. */
async function fallbackLaunch(command: string[], env: Record<string, string>) {
  const reports = new Map<number, WorkerReport>();
  const workers = launchWorkers({
    count: PROCESSES,
    command,
    env,
    onLine: (line) => {
      const report = reports.get(line.index) ?? {
        index: line.index,
        pid: line.pid,
        exitCode: null,
        completed: [],
      };
      reports.set(line.index, report);
      const json = line.json as { taskId?: unknown; status?: unknown; event?: unknown } | null;
      if (json?.status === 'completed' && typeof json.taskId === 'string')
        report.completed.push(json.taskId);
    },
  });
  const summary = await workers.done;
  return summary.processes.map((p, index) => ({
    index,
    pid: p.pid,
    exitCode: p.exitCode,
    completed: reports.get(index)?.completed ?? [],
  }));
}

/** Tries one exercise piece and says whether the workers run it or plain commands stand in. */
async function piece(what: string, role: string, attempt: () => Promise<unknown>): Promise<void> {
  try {
    await attempt();
    console.log(`  ${chalk.green('✔')} ${what}: yours ${chalk.dim(role)}`);
  } catch (error) {
    const todo = serializeError(error).message.includes('TODO');
    const why = todo ? chalk.yellow('not solved yet') : chalk.red(String(error));
    console.log(`  🐨 ${what} ${why}: the workers use plain Redis commands instead`);
  }
}
