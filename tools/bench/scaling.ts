/**
 * Session 08: a burst of photos drained by one fixed worker, a fixed maximum pool, and the autoscaler (KEDA + HPA) — drain time and worker-seconds.
 *
 * Every replica is a real worker process (`node session05-monitoring/bin/imgq-worker.mjs`,
 * CONCURRENCY 1, VIPS_CONCURRENCY 1: one core's worth, like a pod with `limits.cpu: 1`) on a
 * private Redis. The arrival pattern is a batch job: a burst of `--burst` photos (default 480;
 * resize to 1200 px + blur, WebP) every `--period` model seconds (default 900: a batch every
 * 15 minutes), landing on an idle queue. Measured over one period:
 *
 * 1. fixed single worker (the baseline), already running;
 * 2. fixed maximum pool of `--max` workers (default 4), already running;
 * 3. the autoscaler with the course's ScaledObject (redis trigger on the pending list,
 *    listLength 5, minReplicaCount 1, maxReplicaCount `--max`) and the HPA defaults (300 s
 *    scale-down stabilization window), starting from its one warm worker;
 * 4. the same with a scale-down window of `--down-window` model seconds (default 60), the
 *    `advanced.horizontalPodAutoscalerConfig.behavior` a queue worker is commonly given.
 *
 * Time runs ×`--time-scale` (default 10) for the autoscalers' controllers, and the period is
 * taken on the same clock (900 model s = 90 s). Why these defaults: at ×10 a worker process's
 * real start (1-2 s) is a 10-20 s pod start and KEDA's 30 s polling interval is 3 s, as in a
 * cluster; at ×30 the same start looks like a minute. And the burst must outlast a poll plus a
 * start several times over for scaling out to pay: 120 photos drain in about 7 s on one worker
 * here, before a second replica is up (measured: ×30, 120 photos → drain 1.66× the fixed
 * maximum's, no faster than the single worker). Measured: drain time (burst → every task done)
 * and worker-seconds over the observation window — one period, the same for every row (longer
 * only if a row needs longer to drain). A fixed pool is always on: it costs size × window. An
 * autoscaler costs what its workers ran inside the window (start to exit, draining included),
 * measured by running it to the window's end. Worker-seconds until drained, and each
 * autoscaler's settle time (burst → back at its minimum), are shown too. Goal: autoscaler drain
 * ≤ 1.3 × the fixed maximum's, worker-seconds ≤ 70 % of it, nothing lost or done twice.
 *
 *   pnpm bench scaling [--burst 480] [--max 4] [--time-scale 10] [--period 900] [--down-window 60]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueInspector } from '@workbook/session05';
import {
  countReplicas,
  LocalAutoscaler,
  ProcessReplicaDriver,
  queueScaledObject,
  runLoad,
  workerSeconds,
} from '@workbook/session08';
import { fixturePhotos, startRedis } from '@workbook/tools/testkit';
import { argValue, writeBenchJson } from './kit.ts';

const BURST = Number(argValue('--burst') ?? 480);
const MAX = Number(argValue('--max') ?? 4);
const TIME_SCALE = Number(argValue('--time-scale') ?? 10);
const PERIOD_S = Number(argValue('--period') ?? 900);
const DOWN_WINDOW_S = Number(argValue('--down-window') ?? 60);
const PERIOD_WALL_MS = (PERIOD_S * 1000) / TIME_SCALE;
const DRAIN_GOAL = 1.3;
const COST_GOAL = 0.7;
const PIPELINE = {
  steps: [
    { name: 'resize', params: { width: 1200 } },
    { name: 'blur', params: { sigma: 1.5 } },
  ],
  output: { format: 'webp' as const },
};
const WORKER_ENV = { VIPS_CONCURRENCY: '1' };

interface Outcome {
  name: string;
  /** Workers before the burst. */
  size: number;
  drainMs: number;
  /** Replicas at the peak. */
  peak: number;
  /** Worker-seconds from the burst until drained (fixed: size × drain). */
  wsUntilDrained: number;
  /** Worker-seconds over the observation window (filled in at the end for fixed pools). */
  wsWindow: number;
  lost: number;
  duplicates: number;
  /** Autoscaler only: burst → back at its minimum (null if not within the window). */
  settleMs?: number | null;
  /** Autoscaler only: how long after the burst it was measured (its window). */
  ranMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  ms = 240_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function burstAndDrain(url: string, queue: string, outDir: string) {
  const inspector = new QueueInspector({ url, name: queue });
  const burstAt = Date.now();
  const { taskIds } = await runLoad({
    redisUrl: url,
    queue,
    pattern: { kind: 'burst', count: BURST },
    photos: fixturePhotos(),
    outDir,
    pipeline: PIPELINE,
  });
  await until('the burst to drain', async () => {
    const c = await inspector.counts();
    return c.completed + c.dlq >= BURST;
  });
  const drainedAt = Date.now();
  const results = await Promise.all(taskIds.map((id) => inspector.result(id)));
  await inspector.close();
  return { burstAt, drainedAt, done: results.filter((r) => r?.status === 'completed').length };
}

async function fixedPool(
  url: string,
  name: string,
  size: number,
  outDir: string,
): Promise<Outcome> {
  const queue = `bench-fixed-${size}-${process.pid}`;
  const driver = new ProcessReplicaDriver({
    redisUrl: url,
    queue,
    idPrefix: `fixed${size}`,
    env: WORKER_ENV,
  });
  try {
    await driver.scale(size);
    await until(`${size} worker(s) to be ready`, () => countReplicas(driver).ready === size);
    const { burstAt, drainedAt, done } = await burstAndDrain(url, queue, outDir);
    await driver.close();
    const completions = driver.replicas().reduce((sum, r) => sum + (r.completed ?? 0), 0);
    const drainMs = drainedAt - burstAt;
    return {
      name,
      size,
      drainMs,
      peak: size,
      wsUntilDrained: (size * drainMs) / 1000,
      wsWindow: 0,
      lost: BURST - done,
      duplicates: completions - done,
    };
  } finally {
    await driver.close();
  }
}

async function autoscaled(
  url: string,
  outDir: string,
  name: string,
  downWindowS: number | null,
  windowMs: () => number,
): Promise<Outcome> {
  const queue = `bench-auto-${downWindowS ?? 'default'}-${process.pid}`;
  const driver = new ProcessReplicaDriver({
    redisUrl: url,
    queue,
    idPrefix: 'auto',
    env: WORKER_ENV,
  });
  const autoscaler = new LocalAutoscaler({
    redisUrl: url,
    queue,
    driver,
    timeScale: TIME_SCALE,
    scaledObject: queueScaledObject(queue, {
      minReplicaCount: 1,
      maxReplicaCount: MAX,
      ...(downWindowS === null
        ? {}
        : {
            advanced: {
              horizontalPodAutoscalerConfig: {
                behavior: { scaleDown: { stabilizationWindowSeconds: downWindowS } },
              },
            },
          }),
    }),
  });
  try {
    await autoscaler.start();
    await until('the warm worker', () => countReplicas(driver).ready === 1);
    const { burstAt, drainedAt, done } = await burstAndDrain(url, queue, outDir);
    // Runs on to the end of the window (it may have grown with this row's drain), noting when
    // the pool is back at its minimum.
    let settledAt: number | null = null;
    while (Date.now() < burstAt + Math.max(windowMs(), drainedAt - burstAt)) {
      const c = countReplicas(driver);
      const atMin = c.desired === 1 && c.existing === 1 && c.draining === 0;
      if (atMin && settledAt === null) settledAt = Date.now();
      if (!atMin) settledAt = null;
      await sleep(50);
    }
    const endAt = Date.now();
    await autoscaler.stop();
    const replicas = driver.replicas();
    const wsWindow = workerSeconds(replicas, burstAt, endAt);
    await driver.close();
    const completions = driver.replicas().reduce((sum, r) => sum + (r.completed ?? 0), 0);
    return {
      name,
      size: 1,
      drainMs: drainedAt - burstAt,
      peak: Math.max(1, ...autoscaler.decisions.map((d) => d.to)),
      wsUntilDrained: workerSeconds(replicas, burstAt, drainedAt),
      wsWindow,
      lost: BURST - done,
      duplicates: completions - done,
      settleMs: settledAt === null ? null : settledAt - burstAt,
      ranMs: endAt - burstAt,
    };
  } finally {
    await autoscaler.stop().catch(() => {});
    await driver.close();
  }
}

const redis = await startRedis();
const outDir = mkdtempSync(path.join(tmpdir(), 'bench-scaling-'));
try {
  console.log(
    `Burst of ${BURST} photos every ${PERIOD_S} model s; fixed pools of 1 and ${MAX}; autoscalers 1..${MAX} at time ×${TIME_SCALE}.`,
  );
  const rows: Outcome[] = [];
  rows.push(await fixedPool(redis.url, 'fixed single worker (baseline)', 1, outDir));
  console.log(`  fixed 1: drained in ${(rows[0]!.drainMs / 1000).toFixed(1)} s`);
  rows.push(await fixedPool(redis.url, `fixed maximum pool (${MAX})`, MAX, outDir));
  console.log(`  fixed ${MAX}: drained in ${(rows[1]!.drainMs / 1000).toFixed(1)} s`);
  // The observation window: one period of the arrival pattern, or longer if a row drains later.
  const windowMs = () => Math.max(PERIOD_WALL_MS, ...rows.map((r) => r.drainMs));
  const autos: Outcome[] = [];
  for (const [label, downWindow] of [
    ['autoscaler (KEDA + HPA defaults)', null],
    [`autoscaler, scale-down window ${DOWN_WINDOW_S} s`, DOWN_WINDOW_S],
  ] as const) {
    const auto = await autoscaled(redis.url, outDir, label, downWindow, windowMs);
    rows.push(auto);
    autos.push(auto);
    const settle =
      auto.settleMs == null
        ? 'not back at 1 worker within the window'
        : `back at 1 worker ${(auto.settleMs / 1000).toFixed(1)} s after the burst`;
    console.log(`  ${label}: drained in ${(auto.drainMs / 1000).toFixed(1)} s, ${settle}`);
  }
  const window = windowMs();
  for (const row of rows) if (!autos.includes(row)) row.wsWindow = (row.size * window) / 1000;
  // An autoscaler that ran a shorter window (a later row grew it) pays its minimum for the rest.
  for (const auto of autos) {
    const ran = auto.ranMs ?? window;
    if (ran < window) auto.wsWindow += (window - ran) / 1000;
  }

  const base = rows[0]!;
  const header = [
    '',
    'workers',
    'drain s',
    'vs baseline',
    `worker-s (${(window / 1000).toFixed(1)} s window)`,
    'vs baseline',
    'worker-s until drained',
    'at minimum after s',
    'lost',
    'twice',
  ];
  const body = rows.map((r) => [
    r.name,
    autos.includes(r) ? `1..${r.peak}` : String(r.size),
    (r.drainMs / 1000).toFixed(1),
    `${(r.drainMs / base.drainMs).toFixed(2)}×`,
    r.wsWindow.toFixed(1),
    `${(r.wsWindow / base.wsWindow).toFixed(2)}×`,
    r.wsUntilDrained.toFixed(1),
    r.settleMs === undefined ? '' : r.settleMs === null ? '—' : (r.settleMs / 1000).toFixed(1),
    String(r.lost),
    String(r.duplicates),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `\nWindow: one period of the arrival pattern (a burst every ${PERIOD_S} model s = ${(PERIOD_WALL_MS / 1000).toFixed(1)} s at ×${TIME_SCALE})` +
      `${window > PERIOD_WALL_MS ? `, grown to ${(window / 1000).toFixed(1)} s by the slowest drain` : ''}.`,
  );
  console.log(
    `\n${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}`,
  );

  const fixedMax = rows[1]!;
  const noLoss = rows.every((r) => r.lost === 0 && r.duplicates === 0);
  const verdicts = autos.map((auto) => {
    const drainRatio = auto.drainMs / fixedMax.drainMs;
    const costRatio = auto.wsWindow / fixedMax.wsWindow;
    const met = drainRatio <= DRAIN_GOAL && costRatio <= COST_GOAL && noLoss;
    console.log(
      `\n${auto.name} vs fixed maximum: drain ${drainRatio.toFixed(2)}× (goal ≤ ${DRAIN_GOAL}×), worker-seconds ${(costRatio * 100).toFixed(0)} % ` +
        `(goal ≤ ${COST_GOAL * 100} %; until drained: ${((auto.wsUntilDrained / fixedMax.wsUntilDrained) * 100).toFixed(0)} %), ` +
        `${noLoss ? 'nothing lost or done twice' : 'TASKS LOST OR DUPLICATED'} — ${met ? 'met' : 'NOT met'}`,
    );
    return { name: auto.name, drainRatio, costRatio, met };
  });
  const file = writeBenchJson('scaling', {
    burst: BURST,
    max: MAX,
    timeScale: TIME_SCALE,
    periodS: PERIOD_S,
    downWindowS: DOWN_WINDOW_S,
    windowMs: window,
    rows,
    verdicts,
    goals: { drain: DRAIN_GOAL, cost: COST_GOAL },
  });
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
  await redis[Symbol.asyncDispose]();
}
