/** 3 worker processes + the live monitor on the course photos; one worker is SIGKILLed mid-task and nothing is lost. */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PipelineSpec } from '@workbook/session02';
import type { NewTask } from '@workbook/session03';
import { launchWorkers, type WorkerProcessSummary } from '@workbook/session04';
import { demoRedis } from '@workbook/session04/testing';
import {
  type MonitorSnapshot,
  ReliableTaskQueue,
  runMonitor,
  type WorkerInfo,
  WorkerRegistry,
} from '@workbook/session05';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixture, fixturePhotos } from '@workbook/tools/testkit';
import chalk from 'chalk';

const WORKERS = 3;
const CONCURRENCY = 2;
/** Per task, after the image is written: a stand-in for uploading it, so tasks can be watched. */
const UPLOAD_MS = 700;
const PIPELINES: Record<string, PipelineSpec> = {
  thumb: { steps: [{ name: 'resize', params: { width: 160 } }], output: { format: 'webp' } },
  sepia: {
    steps: [{ name: 'resize', params: { width: 320 } }, { name: 'sepia' }],
    output: { format: 'jpeg' },
  },
  edges: {
    steps: [
      { name: 'resize', params: { width: 320 } },
      { name: 'grayscale' },
      { name: 'edge-sobel' },
    ],
    output: { format: 'png' },
  },
  blur: {
    steps: [
      { name: 'resize', params: { width: 320 } },
      { name: 'blur', params: { sigma: 3 } },
    ],
    output: { format: 'webp' },
  },
};
/** Files that are not images, mixed into the batch: each must end in the DLQ with its code. */
const HOSTILE: Record<string, string> = {
  'truncated.jpg': 'ERR_IMAGE_CORRUPT',
  'notes.jpg': 'ERR_NOT_AN_IMAGE',
  'empty.jpg': 'ERR_EMPTY_INPUT',
};

await runMain(async () => {
  title(`Session 05 · ${WORKERS} workers, a live monitor, and a SIGKILL that loses nothing`);
  const redis = await demoRedis();
  const out = demoOutDir(import.meta.url);
  rmSync(out, { recursive: true, force: true });
  const inDir = path.join(out, 'in');
  const outDir = path.join(out, 'images');
  mkdirSync(inDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const name = `demo-monitored-${process.pid}`;
  const queue = new ReliableTaskQueue({ url: redis.url, name });
  const registry = new WorkerRegistry({ connection: queue.connection, name });
  let workers: ReturnType<typeof launchWorkers> | undefined;
  try {
    await queue.connect();
    const tasks = prepareTasks(inDir);
    const stored = await queue.enqueueMany(tasks);
    step(
      `Queued ${stored.length} tasks: ${fixturePhotos().length} photos × ${Object.keys(PIPELINES).length} pipelines, ` +
        `plus ${Object.keys(HOSTILE).length} hostile files (${Object.keys(HOSTILE).join(', ')})`,
    );
    step(
      `Starting ${WORKERS} worker processes (concurrency ${CONCURRENCY}, default lease 2 s, heartbeat and ` +
        'recovery every 0.5 s)',
    );
    const events: string[] = [];
    const note = (text: string) => events.push(`${new Date().toTimeString().slice(0, 8)}  ${text}`);
    workers = launchWorkers({
      count: WORKERS,
      script: fileURLToPath(new URL('./support/demo-worker.ts', import.meta.url)),
      args: [
        JSON.stringify({
          redisUrl: redis.url,
          queue: name,
          concurrency: CONCURRENCY,
          uploadMs: UPLOAD_MS,
          inputRoot: inDir,
          outputRoot: outDir,
          logLevel: 'error',
        }),
      ],
      onLine: ({ json }) => {
        if (
          json?.event === 'recovered' &&
          Array.isArray(json.requeued) &&
          json.requeued.length > 0
        ) {
          note(`${json.workerId} ran recovery: ${json.requeued.length} task(s) back to pending`);
        }
      },
    });

    const labelOf = new Map(stored.map((t) => [t.id, path.basename(t.output)]));
    const kill = killOneWorkerMidTask(queue, registry, workers, labelOf, note, stored.length);
    const monitor = runMonitor({
      inspector: queue.inspector,
      mode: process.stdout.isTTY ? 'inline' : 'lines',
      input: null,
      events: () => events,
      until: (snapshot) => everyTaskAccountedFor(snapshot, stored.length) && kill.settled(),
    });
    const last = await monitor.done;
    await kill.done;

    step('Stopping the workers still running (SIGTERM: graceful, exit 0)');
    const summary = await workers.stop('SIGTERM', 15_000);
    workers = undefined;
    await report(queue, stored, summary.processes, kill.victim, last, out);
  } finally {
    await workers?.stop('SIGKILL', 1_000);
    await queue.close();
    await redis.stop();
  }
});

/** Copies the photos and the hostile files into `inDir` and builds one task per (photo, pipeline). */
function prepareTasks(inDir: string): NewTask[] {
  const tasks: NewTask[] = [];
  for (const photo of fixturePhotos()) {
    const base = path.basename(photo);
    copyFileSync(photo, path.join(inDir, base));
    for (const [label, pipeline] of Object.entries(PIPELINES)) {
      const ext = pipeline.output?.format === 'jpeg' ? 'jpg' : pipeline.output?.format;
      tasks.push({ pipeline, input: base, output: `${path.parse(base).name}-${label}.${ext}` });
    }
  }
  copyFileSync(fixture('hostile/truncated.jpg'), path.join(inDir, 'truncated.jpg'));
  writeFileSync(path.join(inDir, 'notes.jpg'), 'Shopping list: milk, eggs. (Not a JPEG.)\n');
  writeFileSync(path.join(inDir, 'empty.jpg'), '');
  // The hostile files go in among the photos, not at the end.
  for (const [n, file] of Object.keys(HOSTILE).entries()) {
    tasks.splice(8 + n * 12, 0, {
      pipeline: PIPELINES.thumb!,
      input: file,
      output: `${file}.webp`,
    });
  }
  return tasks;
}

function everyTaskAccountedFor(snapshot: MonitorSnapshot, total: number): boolean {
  const c = snapshot.counts;
  return !!c && c.pending + c.processing + c.delayed === 0 && c.completed + c.dlq === total;
}

interface Victim {
  worker: WorkerInfo;
  killedAt: number;
  tasks: Array<{
    taskId: string;
    input: string;
    doneBy?: string;
    attempt?: number;
    afterMs?: number;
    /** What the other worker's attempt ended with: done, or an error code (dead-lettered). */
    outcome?: string;
  }>;
}

/**
 * Once a quarter of the tasks is done, SIGKILLs a worker that holds tasks, then follows the
 * tasks it still held (their leases in Redis name it as owner) until other workers complete them.
 */
function killOneWorkerMidTask(
  queue: ReliableTaskQueue,
  registry: WorkerRegistry,
  workers: ReturnType<typeof launchWorkers>,
  labelOf: Map<string, string>,
  note: (text: string) => void,
  total: number,
) {
  let victim: Victim | null = null;
  let settled = false;
  const done = (async () => {
    for (;;) {
      await sleep(200);
      const counts = await queue.counts();
      if (counts.completed + counts.dlq < total / 4) continue;
      // Leases are the truth about who holds what (a heartbeat's list can be 0.5 s old).
      const owners = new Set((await queue.leases()).map((lease) => lease.owner));
      const busy = (await registry.list()).find((w) => w.alive && owners.has(w.id));
      if (!busy || !workers.processes.some((p) => p.pid === busy.pid)) continue;
      process.kill(busy.pid, 'SIGKILL');
      const killedAt = Date.now();
      const held: Victim['tasks'] = (await queue.leases())
        .filter((lease) => lease.owner === busy.id)
        .map(({ taskId }) => ({ taskId, input: labelOf.get(taskId) ?? taskId }));
      victim = { worker: busy, killedAt, tasks: held };
      note(
        chalk.red(`SIGKILL ${busy.id} (pid ${busy.pid}) while it held `) +
          victim.tasks.map((t) => t.input).join(', '),
      );
      break;
    }
    const watched = victim as Victim | null;
    if (!watched) return null;
    while (watched.tasks.some((t) => !t.doneBy)) {
      await sleep(100);
      for (const task of watched.tasks.filter((t) => !t.doneBy)) {
        const result = await queue.result(task.taskId);
        if (!result) continue;
        Object.assign(task, {
          doneBy: result.workerId,
          attempt: result.attempt,
          afterMs: Date.now() - watched.killedAt,
          outcome: result.status === 'completed' ? 'done' : (result.error?.code ?? 'failed'),
        });
        note(chalk.green(`${task.input} recovered: ${finishedBy(task)}`));
      }
    }
    settled = true;
    return watched;
  })();
  return {
    done,
    settled: () => settled,
    get victim(): Victim | null {
      return victim;
    },
  };
}

async function report(
  queue: ReliableTaskQueue,
  stored: Array<{ id: string; input: string; output: string }>,
  processes: WorkerProcessSummary[],
  victim: Victim | null,
  last: MonitorSnapshot | null,
  out: string,
): Promise<void> {
  const results = await Promise.all(stored.map((t) => queue.result(t.id)));
  const dlq = await queue.dlqList({ limit: 1_000 });
  const dead = new Map(dlq.entries.map((e) => [e.task.id, e]));
  const completed = stored.filter((_, i) => results[i]?.status === 'completed');
  const lost = stored.filter((t, i) => results[i]?.status !== 'completed' && !dead.has(t.id));
  const counts = await queue.counts();

  console.log();
  title('Every task accounted for');
  const byCode = new Map<string, string[]>();
  for (const entry of dlq.entries) {
    byCode.set(entry.error.code, [
      ...(byCode.get(entry.error.code) ?? []),
      path.basename(entry.task.input),
    ]);
  }
  table([
    {
      outcome: 'done',
      tasks: completed.length,
      detail: `images in ${path.relative(process.cwd(), path.join(out, 'images'))}/`,
    },
    ...[...byCode].map(([code, inputs]) => ({
      outcome: `DLQ ${code}`,
      tasks: inputs.length,
      detail: inputs.join(', '),
    })),
    {
      outcome: 'lost',
      tasks: lost.length,
      detail: lost.length === 0 ? 'none' : lost.map((t) => t.input).join(', '),
    },
  ]);
  console.log();
  table(
    processes.map((p) => ({
      process: `#${p.index} pid ${p.pid}`,
      'tasks done': p.completed.length,
      'sent to DLQ': p.failed.length,
      ended: p.signal
        ? `${p.signal}${p.signal === 'SIGKILL' ? ' (killed by the demo)' : ''}`
        : `exit ${p.exitCode}`,
    })),
  );
  console.log();
  if (victim && victim.tasks.length === 0) {
    warn(`${victim.worker.id} had just finished its tasks when it was killed: nothing to recover.`);
  } else if (victim) {
    for (const task of victim.tasks)
      done(`${task.input}: held by the killed worker; ${finishedBy(task)}`);
  } else {
    warn('The batch finished before a worker could be killed mid-task.');
  }
  const expected = Object.entries(HOSTILE).every(([file, code]) =>
    dlq.entries.some((e) => path.basename(e.task.input) === file && e.error.code === code),
  );
  writeFileSync(
    path.join(out, 'summary.json'),
    `${JSON.stringify(
      {
        tasks: stored.length,
        done: completed.length,
        dlq: dlq.entries.map((e) => ({
          input: path.basename(e.task.input),
          code: e.error.code,
          reason: e.reason,
        })),
        lost: lost.map((t) => t.input),
        counters: counts,
        killed: victim && { worker: victim.worker.id, pid: victim.worker.pid, tasks: victim.tasks },
        lastSnapshot: last && { counts: last.counts, throughput: last.throughput },
      },
      null,
      2,
    )}\n`,
  );
  console.log(
    chalk.dim(`Summary written to ${path.relative(process.cwd(), path.join(out, 'summary.json'))}`),
  );
  if (lost.length > 0 || !expected) {
    throw new Error(`${lost.length} task(s) lost, or a hostile file not in the DLQ with its code`);
  }
  done(chalk.bold(`${completed.length} done, ${dlq.total} in the DLQ with their codes, 0 lost.`));
}

/** "worker-2 did it (attempt 2) 2.8 s after the kill", or "... dead-lettered it (ERR_...)". */
function finishedBy(task: Victim['tasks'][number]): string {
  const what = task.outcome === 'done' ? 'did it' : `dead-lettered it (${task.outcome})`;
  const after = ((task.afterMs ?? 0) / 1000).toFixed(1);
  return `${task.doneBy} ${what} on attempt ${task.attempt}, ${after} s after the kill`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
