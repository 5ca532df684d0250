/**
 * Session 06: image size vs its base, cold build vs rebuild after a one-file edit, container start to ready, 3 worker containers vs 3 host processes.
 *
 * 1. Size of imgq-worker against node:24-bookworm-slim (budget: base + 80 MB).
 * 2. Builds of the worker target, all through the engine's API from the same in-memory
 *    context: cold (no cache at all: pnpm downloads every package), no change (everything
 *    cached), and after a one-file edit of a worker source (the dependency layers must come
 *    from the cache). Seconds and cached steps.
 * 3. Container start to ready: `docker start` of a worker to its registration in Redis (it
 *    takes work from then on), and to Docker's first "healthy"; `--starts` times (default 3).
 * 4. Throughput of 3 worker containers against 3 worker processes on the host
 *    (`node session05-monitoring/bin/imgq-worker.mjs`), same Redis, same photos and pipeline,
 *    taking turns `--runs` times (default 3) of `--tasks` tasks (default 66); median tasks/s.
 *    Goal: containers >= 0.9x the host.
 *
 *   pnpm bench docker [--starts 3] [--runs 3] [--tasks 66] [--skip-cold]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueInspector, ReliableTaskQueue } from '@workbook/session05';
import {
  buildImage,
  checkEngine,
  connectEngine,
  DOCKERFILE,
  ensureCourseImages,
  ensurePulled,
  formatBytes,
  inspectImage,
  NODE_BASE_IMAGE,
  packContext,
  REDIS_IMAGE,
  REPO_ROOT,
  RUN_LABEL,
  removeLabelled,
  Stack,
  WORKER_IMAGE,
  waitHealthy,
} from '@workbook/session06';
import { fixture, fixturePhotos } from '@workbook/tools/testkit';
import { argValue, formatTable, median, type Run, runsRow, writeBenchJson } from './kit.ts';

const starts = Number(argValue('--starts') ?? 3);
const runs = Number(argValue('--runs') ?? 3);
const taskCount = Number(argValue('--tasks') ?? 66);
const skipCold = process.argv.includes('--skip-cold');
const RUN = `bench-${process.pid}`;
const BUDGET_BYTES = 80 * 1024 * 1024;
const EDITED = 'session05-monitoring/src/worker-main.ts';
const PIPELINE = {
  steps: [{ name: 'resize', params: { width: 480 } }, { name: 'sharpen' }],
  output: { format: 'webp' as const, quality: 80 },
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const docker = connectEngine();
await checkEngine(docker);
await ensurePulled(docker, REDIS_IMAGE);
const images = await ensureCourseImages(docker);
const results: Record<string, unknown> = {};

// ---- 1. size ---------------------------------------------------------------------------------------
const base = (await inspectImage(docker, NODE_BASE_IMAGE))!;
const worker = (await inspectImage(docker, WORKER_IMAGE))!;
const added = worker.Size - base.Size;
results.size = {
  baseBytes: base.Size,
  workerBytes: worker.Size,
  addedBytes: added,
  budgetBytes: BUDGET_BYTES,
};
console.log('Image size');
console.log(`  ${NODE_BASE_IMAGE.padEnd(24)} ${formatBytes(base.Size).padStart(10)}  (baseline)`);
console.log(
  `  ${WORKER_IMAGE.padEnd(24)} ${formatBytes(worker.Size).padStart(10)}  base + ${formatBytes(added)} ` +
    `(budget + ${formatBytes(BUDGET_BYTES)}: ${added <= BUDGET_BYTES ? 'within' : 'OVER'})`,
);

// ---- 2. builds -------------------------------------------------------------------------------------------
const context = packContext({ root: REPO_ROOT, dockerfile: DOCKERFILE });
const build = async (
  label: string,
  options: { noCache?: boolean; overrides?: Record<string, string> },
) => {
  const ctx = options.overrides
    ? packContext({ root: REPO_ROOT, dockerfile: DOCKERFILE, overrides: options.overrides })
    : context;
  const result = await buildImage(docker, {
    context: ctx,
    target: 'worker',
    tag: 'imgq-worker:bench',
    noCache: options.noCache ?? false,
  });
  const cached = result.steps.filter((step) => step.cached).length;
  const fetchCached =
    result.steps.find((step) => step.instruction.startsWith('RUN pnpm fetch'))?.cached ?? false;
  return { label, ms: result.ms, cached, steps: result.steps.length, fetchCached };
};
const builds = [];
if (!skipCold) builds.push(await build('cold (no cache)', { noCache: true }));
builds.push(await build('no change', {}));
const source = readFileSync(path.join(REPO_ROOT, EDITED), 'utf8');
builds.push(
  await build(`one-file edit (${path.basename(EDITED)})`, {
    overrides: { [EDITED]: `${source}\n// edited ${Date.now()}\n` },
  }),
);
await docker
  .getImage('imgq-worker:bench')
  .remove()
  .catch(() => {});
const coldMs = builds[0]!.ms;
results.builds = builds;
console.log('\nBuilds of the worker target (legacy builder through the API)');
for (const b of builds) {
  console.log(
    `  ${b.label.padEnd(34)} ${s(b.ms).padStart(8)}  ${String(b.cached).padStart(2)}/${b.steps} steps cached` +
      `  dependency fetch ${b.fetchCached ? 'cached' : 'ran'}  ${(b.ms / coldMs).toFixed(2)}× of the first row`,
  );
}

// ---- 3 + 4 need a stack ---------------------------------------------------------------------------------
const stack = new Stack(docker, {
  name: RUN,
  labels: { [RUN_LABEL]: RUN },
  workerCpus: 2,
  queue: 'bench-containers',
});
const hostProcs: ChildProcess[] = [];
const out = mkdtempSync(path.join(tmpdir(), 'bench-docker-'));
try {
  await stack.up({ workers: 0 });
  const url = await stack.redisUrl();
  const inspector = new QueueInspector({ url, name: 'bench-containers' });
  const startSamples: Array<{ readyMs: number; healthyMs: number }> = [];
  for (let i = 0; i < starts; i++) {
    const before = new Set((await stack.workers()).map((w) => w.name));
    const t0 = performance.now();
    const scaled = stack.scale(1);
    const name = await (async () => {
      for (;;) {
        const fresh = (await stack.workers()).find((w) => !before.has(w.name));
        if (fresh) return fresh.name;
        await sleep(10);
      }
    })();
    let readyMs = 0;
    while (!readyMs) {
      if ((await inspector.workers()).some((w) => w.id === name && w.alive))
        readyMs = performance.now() - t0;
      else await sleep(20);
    }
    await waitHealthy(docker.getContainer(name), { everyMs: 50 });
    const healthyMs = performance.now() - t0;
    await scaled;
    startSamples.push({ readyMs, healthyMs });
    await stack.scale(0);
  }
  results.start = startSamples;
  console.log(`\nContainer start to ready (${starts} starts, median)`);
  console.log(
    `  registered in Redis (takes work)   ${s(median(startSamples.map((x) => x.readyMs)))}`,
  );
  console.log(
    `  Docker reports healthy             ${s(median(startSamples.map((x) => x.healthyMs)))}  (health check every 2 s)`,
  );

  // ---- 4. throughput ----
  await stack.scale(3);
  const photos = fixturePhotos();
  const containerInputs = await stack.putInputs(
    photos.map((file) => ({ name: path.basename(file), data: readFileSync(file) })),
  );
  const hostQueue = 'bench-host';
  for (let i = 0; i < 3; i++) {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'session05-monitoring/bin/imgq-worker.mjs')],
      {
        env: {
          ...process.env,
          REDIS_URL: url,
          QUEUE: hostQueue,
          WORKER_ID: `${RUN}-host-${i}`,
          LOG_FORMAT: 'json',
          LOG_LEVEL: 'warn',
        },
        stdio: 'ignore',
      },
    );
    hostProcs.push(child);
  }
  const hostInspector = new QueueInspector({ url, name: hostQueue });
  while ((await hostInspector.workers()).filter((w) => w.alive).length < 3) await sleep(50);
  const contender = async (queueName: string, inputs: string[], outDir: string): Promise<Run> => {
    const queue = new ReliableTaskQueue({ url, name: queueName });
    try {
      const before = (await queue.counts()).completed;
      const tasks = Array.from({ length: taskCount }, (_, i) => {
        const input = inputs[i % inputs.length]!;
        return {
          pipeline: PIPELINE,
          input,
          output: `${outDir}/${i}-${path.basename(input, path.extname(input))}.webp`,
        };
      });
      const t0 = performance.now();
      await queue.enqueueMany(tasks);
      while ((await queue.counts()).completed - before < taskCount) await sleep(20);
      const ms = performance.now() - t0;
      return { count: taskCount, ms, nodeUs: 0, redisUs: 0 };
    } finally {
      await queue.close();
    }
  };
  const host: Run[] = [];
  const containers: Run[] = [];
  for (let r = 0; r < runs; r++) {
    containers.push(await contender('bench-containers', containerInputs, '/data/out'));
    host.push(
      await contender(
        hostQueue,
        photos.map((p) => fixture(`photos/${path.basename(p)}`)),
        out,
      ),
    );
  }
  await hostInspector.close();
  await inspector.close();
  const rows = [runsRow('3 host processes', host), runsRow('3 containers', containers)];
  console.log(
    `\nThroughput: ${taskCount} tasks (11 photos, resize 480 + sharpen → webp), ${runs} runs each, median`,
  );
  console.log(formatTable(rows, { baseline: '3 host processes' }));
  const ratio = rows[1]!.perSecond / rows[0]!.perSecond;
  console.log(`containers / host = ${ratio.toFixed(2)}× (goal >= 0.9×)`);
  results.throughput = { taskCount, runs, host, containers, ratio };
} finally {
  for (const child of hostProcs) child.kill('SIGTERM');
  await stack.down();
  await removeLabelled(docker, `${RUN_LABEL}=${RUN}`);
  rmSync(out, { recursive: true, force: true });
}
results.images = { worker: images.worker.imageId, imgq: images.imgq.imageId };
console.log(`\nJSON: ${writeBenchJson('docker', results)}`);
