/** Workers and an exporter under load, scraped by a real Prometheus: live PromQL answers, alerts when a worker is SIGKILLed, and imgq trace of a task it held. */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { NewTask } from '@workbook/session03';
import { launchWorkers } from '@workbook/session04';
import { demoRedis } from '@workbook/session04/testing';
import { ReliableTaskQueue } from '@workbook/session05';
import {
  enqueueTraced,
  formatTaskStory,
  freeLoopbackPort,
  imgqRuleGroups,
  type PrometheusHandle,
  readTaskStory,
  rulesYaml,
  runExporter,
  startPrometheus,
  TaskEventLog,
} from '@workbook/session09';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixture, fixturePhotos } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { exerciseCarrier, pieces, type Solved, solvedPieces } from './support/pieces.ts';

const WORKERS = 3;
const UPLOAD_MS = 400;
const PIPELINES = {
  thumb: {
    steps: [{ name: 'resize', params: { width: 160 } }],
    output: { format: 'webp' as const },
  },
  sepia: {
    steps: [{ name: 'resize', params: { width: 240 } }, { name: 'sepia' }],
    output: { format: 'jpeg' as const },
  },
  gray: {
    steps: [{ name: 'resize', params: { width: 240 } }, { name: 'grayscale' }],
    output: { format: 'png' as const },
  },
};
/** Thresholds scaled from minutes to seconds, so alerts fire while the demo runs. */
const DEMO_THRESHOLDS = {
  rateWindow: '20s',
  backlogPending: 5,
  backlogFor: '3s',
  dlqRate: 0.01,
  dlqFor: '2s',
  noWorkersFor: '5s',
  p95Seconds: 5,
  p95For: '5s',
  heartbeatStaleSeconds: 2,
  heartbeatFor: '1s',
};
const QUERIES: Array<[string, string, (v: number | null) => string]> = [
  [
    'throughput',
    'sum(rate(imgq_tasks_finished_total{outcome="done"}[5s]))',
    (v) => `${(v ?? 0).toFixed(1)} tasks/s`,
  ],
  [
    'p95 task time',
    'histogram_quantile(0.95, sum by (le) (rate(imgq_task_duration_seconds_bucket[10s])))',
    (v) => (v === null || Number.isNaN(v) ? '-' : `${v.toFixed(2)} s`),
  ],
  ['backlog', 'sum(imgq_queue_tasks{state=~"pending|delayed"})', (v) => `${v ?? 0} tasks`],
  ['dlq', 'sum(imgq_queue_tasks{state="dlq"})', (v) => `${v ?? 0}`],
  ['live workers', 'sum(imgq_workers_live)', (v) => `${v ?? 0}`],
];

await runMain(async () => {
  title(`Session 09 · ${WORKERS} observed workers and an exporter, scraped by a real Prometheus`);
  const redis = await demoRedis();
  const out = demoOutDir(import.meta.url);
  rmSync(out, { recursive: true, force: true });
  const inDir = path.join(out, 'in');
  const outDir = path.join(out, 'images');
  mkdirSync(inDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const name = `demo-observed-${process.pid}`;
  const queue = new ReliableTaskQueue({ url: redis.url, name });
  let workers: ReturnType<typeof launchWorkers> | undefined;
  let prometheus: PrometheusHandle | undefined;
  let starting: Promise<PrometheusHandle> | undefined;
  let exporter: Awaited<ReturnType<typeof runExporter>> | undefined;
  try {
    await queue.connect();
    const log = new TaskEventLog({ connection: queue.connection, queue: name });
    const solved: Solved = { ...solvedPieces(), carrier: await carrierWorks(log) };
    const use = pieces(solved);
    table(
      [
        ['09.1 duration histogram', "the workers' imgq_task_duration_seconds", solved.duration],
        ['09.2 no-live-workers alert', 'loaded into Prometheus (for: 5s here)', solved.alert],
        ['09.3 trace context', 'producer and workers carry it', solved.carrier],
        ['09.4 draining readiness', "the workers' /healthz and /readyz", solved.probe],
      ].map(([exercise, where, ok]) => ({
        exercise: String(exercise),
        'runs as': String(where),
        piece: ok ? chalk.green('yours') : chalk.yellow("the library's (starter not solved yet)"),
      })),
    );

    exporter = await runExporter({
      redisUrl: redis.url,
      queues: [name],
      port: 0,
      host: '127.0.0.1',
    });
    step(
      `Exporter on ${exporter.server.url}/metrics (depth by state, live workers, per-worker heartbeat age)`,
    );
    // Ports chosen up front, so Prometheus starts while the workers do.
    const workerPorts = await Promise.all(
      Array.from({ length: WORKERS }, () => freeLoopbackPort()),
    );
    const ports = new Map<number, number>();
    const rulesFile = path.join(out, 'rules.yml');
    writeFileSync(
      rulesFile,
      rulesYaml([
        ...imgqRuleGroups(DEMO_THRESHOLDS).map((g) => ({
          ...g,
          rules: g.rules.filter((r) => !('alert' in r) || r.alert !== 'ImgqNoLiveWorkers'),
        })),
        { name: 'exercise-09.2', rules: [{ ...use.alert, for: '5s' }] },
      ]),
    );
    workers = launchWorkers({
      count: WORKERS,
      script: fileURLToPath(new URL('./support/observed-demo-worker.ts', import.meta.url)),
      args: [
        JSON.stringify({
          redisUrl: redis.url,
          queue: name,
          concurrency: 2,
          leaseMs: 2_000,
          heartbeatIntervalMs: 250,
          heartbeatTtlMs: 1_000,
          recoveryIntervalMs: 300,
          uploadMs: UPLOAD_MS,
          inputRoot: inDir,
          outputRoot: outDir,
          logLevel: 'error',
          solved,
          ports: workerPorts,
        }),
      ],
      onLine: ({ json, pid }) => {
        if (json?.event === 'metrics' && typeof json.port === 'number') ports.set(pid, json.port);
      },
    });
    starting = startPrometheus({
      jobs: [
        { job: 'imgq-worker', targets: workerPorts.map((p) => `127.0.0.1:${p}`) },
        { job: 'imgq-exporter', targets: [`127.0.0.1:${exporter.server.port}`] },
      ],
      ruleFiles: [rulesFile],
    });
    const launched = workers;
    await until(
      () => ports.size === WORKERS,
      // Three processes compile their TypeScript at once: slow on a busy machine.
      60_000,
      'the workers did not start their metrics servers',
    );
    step(
      `${WORKERS} observed worker processes: /metrics, /healthz, /readyz on ports ${[...ports.values()].join(', ')}`,
    );

    prometheus = await starting;
    const prom = prometheus;
    step(
      `Prometheus ${chalk.cyan(prom.url)} scrapes them every second (rules: ${path.relative(process.cwd(), rulesFile)})`,
    );
    await prom.waitFor('sum(up)', (s) => s[0]?.value === WORKERS + 1, 30_000);

    const tasks = prepareTasks(inDir);
    const ids: string[] = [];
    for (const task of tasks)
      ids.push((await enqueueTraced(queue, log, task, { carrier: use.carrier })).task.id);
    step(
      `Enqueued ${tasks.length} traced tasks (${fixturePhotos().length} photos × ${Object.keys(PIPELINES).length} pipelines + 1 corrupt file)`,
    );

    const ask = async () => {
      const values = await Promise.all(
        QUERIES.map(async ([, q]) => prom.value(q).catch(() => null)),
      );
      const firing = (await prom.alerts()).filter((a) => a.state === 'firing').map((a) => a.name);
      const line = QUERIES.map(
        ([label, , fmt], i) => `${label} ${chalk.bold(fmt(values[i] ?? null))}`,
      ).join(' · ');
      process.stdout.write(
        `  ${chalk.dim(new Date().toTimeString().slice(0, 8))} ${line} · alerts ${firing.length ? chalk.red(firing.join(', ')) : chalk.dim('none')}\n`,
      );
      return firing;
    };

    // Let the load run, then kill a worker that holds tasks.
    await until(
      async () => (await queue.counts()).completed >= tasks.length / 4,
      40_000,
      'no progress',
    );
    await ask();
    const leases = await queue.leases();
    const victimId = leases[0]?.owner;
    const victimInfo = (await queue.inspector.workers()).find((w) => w.id === victimId);
    let recoveredTask: string | undefined;
    if (victimInfo) {
      const held = leases.filter((l) => l.owner === victimId).map((l) => l.taskId);
      recoveredTask = held[0];
      process.kill(victimInfo.pid, 'SIGKILL');
      warn(`SIGKILL worker ${victimId} (pid ${victimInfo.pid}) holding ${held.length} task(s)`);
    } else {
      warn('no worker held a task at that moment: nothing killed');
    }

    // 09.4: a draining worker (SIGTERM while it holds a task) is alive but not ready.
    const drainingId = (await queue.leases()).find((l) => l.owner !== victimId)?.owner;
    const draining = (await queue.inspector.workers()).find((w) => w.id === drainingId);
    const drainPort = draining ? ports.get(draining.pid) : undefined;
    if (draining && drainPort) {
      const base = `http://127.0.0.1:${drainPort}`;
      const status = async (route: string) =>
        (await fetch(`${base}${route}`).catch(() => null))?.status ?? 0;
      const before = [await status('/healthz'), await status('/readyz')];
      process.kill(draining.pid, 'SIGTERM');
      const during = await until(
        async () => ((await status('/readyz')) === 503 ? [await status('/healthz'), 503] : null),
        5_000,
        '',
      ).catch(() => null);
      step(
        `09.4 probes of ${draining.id}: running /healthz ${before[0]} /readyz ${before[1]}; SIGTERM while it holds a task → ` +
          (during
            ? `draining /healthz ${during[0]} /readyz ${during[1]}`
            : 'it exited before a probe saw it drain'),
      );
    }

    const alertsSeen = new Set<string>();
    const deadline = Date.now() + 40_000;
    for (;;) {
      for (const a of await ask()) alertsSeen.add(a);
      const counts = await queue.counts();
      const finished =
        counts.pending + counts.processing + counts.delayed === 0 &&
        counts.completed + counts.dlq === tasks.length;
      if (
        (finished && (alertsSeen.has('ImgqWorkerHeartbeatStale') || !victimInfo)) ||
        Date.now() > deadline
      )
        break;
      await delay(process.stdout.isTTY ? 1_000 : 1_000);
    }

    step('Stopping the workers (SIGTERM: graceful)');
    await launched.stop('SIGTERM', 15_000);
    workers = undefined;

    const counts = await queue.counts();
    table([
      { measure: 'tasks', value: tasks.length },
      { measure: 'done', value: counts.completed },
      { measure: 'dead-lettered', value: counts.dlq },
      { measure: 'recovered after the kill', value: counts.recovered },
      { measure: 'alerts that fired', value: [...alertsSeen].join(', ') || 'none' },
    ]);
    if (recoveredTask) {
      step(`imgq trace ${recoveredTask}   (a task the killed worker held)`);
      const story = await readTaskStory(log, recoveredTask);
      process.stdout.write(`${formatTaskStory(story).replace(/^/gm, '    ')}\n`);
    }
    if (counts.completed + counts.dlq !== tasks.length)
      throw new Error(
        `only ${counts.completed + counts.dlq} of ${tasks.length} tasks accounted for`,
      );
    done(
      `Every task done or dead-lettered; Prometheus answered from real scrapes. Images in ${path.relative(process.cwd(), outDir)}`,
    );
  } finally {
    await workers?.stop('SIGKILL', 1_000);
    await (prometheus ?? (await starting?.catch(() => undefined)))?.stop();
    await exporter?.close();
    await queue.close();
    await redis.stop();
  }
});

/** The exercise carrier, tried on a probe task (it needs Redis). */
async function carrierWorks(log: TaskEventLog): Promise<boolean> {
  try {
    await exerciseCarrier.inject(log, `carrier-probe-${process.pid}`);
    await exerciseCarrier.extract(log, `carrier-probe-${process.pid}`);
    return true;
  } catch {
    return false;
  }
}

/** One task per (photo, pipeline), plus a corrupt file that must end in the DLQ. */
function prepareTasks(inDir: string): NewTask[] {
  const tasks: NewTask[] = [];
  for (const photo of fixturePhotos()) {
    const base = path.basename(photo);
    copyFileSync(photo, path.join(inDir, base));
    for (const [label, pipeline] of Object.entries(PIPELINES)) {
      const ext = pipeline.output.format === 'jpeg' ? 'jpg' : pipeline.output.format;
      tasks.push({ pipeline, input: base, output: `${path.parse(base).name}-${label}.${ext}` });
    }
  }
  copyFileSync(fixture('hostile/truncated.jpg'), path.join(inDir, 'truncated.jpg'));
  tasks.splice(5, 0, {
    pipeline: PIPELINES.thumb,
    input: 'truncated.jpg',
    output: 'truncated.webp',
  });
  return tasks;
}

/** Polls `check` until it returns something truthy (bounded). */
async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  message: string,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(message || 'timed out');
    await delay(100);
  }
}
