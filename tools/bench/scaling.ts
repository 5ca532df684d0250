/**
 * Session 08: a burst of photos drained by one fixed worker, a fixed maximum pool, and the autoscaler (KEDA + HPA) — drain time and worker-seconds.
 *
 * Every replica is a real worker process (`node session05-monitoring/bin/imgq-worker.mjs`,
 * CONCURRENCY 1, VIPS_CONCURRENCY 1: one core's worth, like a pod with `limits.cpu: 1`) on a
 * private Redis. A burst of `--burst` photos (default 120; resize to 1200 px + blur, WebP) lands
 * on an idle queue:
 *
 * 1. fixed single worker (the baseline), already running;
 * 2. fixed maximum pool of `--max` workers (default 4), already running;
 * 3. the autoscaler: the course's ScaledObject (redis trigger on the pending list, listLength 5,
 *    minReplicaCount 1, maxReplicaCount `--max`) with the HPA defaults, time ×`--time-scale`
 *    (default 30: the 300 s scale-down window takes 10 s), starting from its one warm worker.
 *
 * Measured: drain time (burst → every task done) and worker-seconds. A fixed pool is always on,
 * so over the observation window — from the burst until the autoscaled pool is back at its
 * minimum, the same window for every row — it costs size × window; the autoscaler costs what
 * its workers actually ran (start to exit, draining included). Worker-seconds until drained are
 * shown too. Goal: autoscaler drain ≤ 1.3 × the fixed maximum's, worker-seconds ≤ 70 % of it,
 * nothing lost or done twice.
 *
 *   pnpm bench scaling [--burst 120] [--max 4] [--time-scale 30]
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

const BURST = Number(argValue('--burst') ?? 120);
const MAX = Number(argValue('--max') ?? 4);
const TIME_SCALE = Number(argValue('--time-scale') ?? 30);
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
  /** Autoscaler only: burst → back at its minimum. */
  settleMs?: number;
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

async function autoscaled(url: string, outDir: string): Promise<Outcome> {
  const queue = `bench-auto-${process.pid}`;
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
    scaledObject: queueScaledObject(queue, { minReplicaCount: 1, maxReplicaCount: MAX }),
  });
  try {
    await autoscaler.start();
    await until('the warm worker', () => countReplicas(driver).ready === 1);
    const { burstAt, drainedAt, done } = await burstAndDrain(url, queue, outDir);
    await until('the pool to be back at its minimum', () => {
      const c = countReplicas(driver);
      return c.desired === 1 && c.existing === 1 && c.draining === 0;
    });
    const settledAt = Date.now();
    await autoscaler.stop();
    await driver.close();
    const replicas = driver.replicas();
    const completions = replicas.reduce((sum, r) => sum + (r.completed ?? 0), 0);
    return {
      name: 'autoscaler (KEDA + HPA)',
      size: 1,
      drainMs: drainedAt - burstAt,
      peak: Math.max(1, ...autoscaler.decisions.map((d) => d.to)),
      wsUntilDrained: workerSeconds(replicas, burstAt, drainedAt),
      wsWindow: workerSeconds(replicas, burstAt, settledAt),
      lost: BURST - done,
      duplicates: completions - done,
      settleMs: settledAt - burstAt,
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
    `Burst of ${BURST} photos; fixed pools of 1 and ${MAX}; autoscaler 1..${MAX} at time ×${TIME_SCALE}.`,
  );
  const rows: Outcome[] = [];
  rows.push(await fixedPool(redis.url, 'fixed single worker (baseline)', 1, outDir));
  console.log(`  fixed 1: drained in ${(rows[0]!.drainMs / 1000).toFixed(1)} s`);
  rows.push(await fixedPool(redis.url, `fixed maximum pool (${MAX})`, MAX, outDir));
  console.log(`  fixed ${MAX}: drained in ${(rows[1]!.drainMs / 1000).toFixed(1)} s`);
  const auto = await autoscaled(redis.url, outDir);
  rows.push(auto);
  console.log(
    `  autoscaler: drained in ${(auto.drainMs / 1000).toFixed(1)} s, back at 1 worker ${(auto.settleMs! / 1000).toFixed(1)} s after the burst`,
  );
  // The observation window: burst → the autoscaled pool back at its minimum (and every row drained).
  const windowMs = Math.max(auto.settleMs!, ...rows.map((r) => r.drainMs));
  for (const row of rows) if (row !== auto) row.wsWindow = (row.size * windowMs) / 1000;
  if (auto.settleMs! < windowMs) auto.wsWindow += ((windowMs - auto.settleMs!) * 1) / 1000;

  const base = rows[0]!;
  const header = [
    '',
    'workers',
    'drain s',
    'vs baseline',
    `worker-s (${(windowMs / 1000).toFixed(1)} s window)`,
    'vs baseline',
    'worker-s until drained',
    'lost',
    'twice',
  ];
  const body = rows.map((r) => [
    r.name,
    r === auto ? `1..${r.peak}` : String(r.size),
    (r.drainMs / 1000).toFixed(1),
    `${(r.drainMs / base.drainMs).toFixed(2)}×`,
    r.wsWindow.toFixed(1),
    `${(r.wsWindow / base.wsWindow).toFixed(2)}×`,
    r.wsUntilDrained.toFixed(1),
    String(r.lost),
    String(r.duplicates),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `\n${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}`,
  );

  const fixedMax = rows[1]!;
  const drainRatio = auto.drainMs / fixedMax.drainMs;
  const costRatio = auto.wsWindow / fixedMax.wsWindow;
  const noLoss = rows.every((r) => r.lost === 0 && r.duplicates === 0);
  const met = drainRatio <= DRAIN_GOAL && costRatio <= COST_GOAL && noLoss;
  console.log(
    `\nAutoscaler vs fixed maximum: drain ${drainRatio.toFixed(2)}× (goal ≤ ${DRAIN_GOAL}×), worker-seconds ${(costRatio * 100).toFixed(0)} % ` +
      `(goal ≤ ${COST_GOAL * 100} %; until drained: ${((auto.wsUntilDrained / fixedMax.wsUntilDrained) * 100).toFixed(0)} %), ` +
      `${noLoss ? 'nothing lost or done twice' : 'TASKS LOST OR DUPLICATED'} — ${met ? 'met' : 'NOT met'}`,
  );
  const file = writeBenchJson('scaling', {
    burst: BURST,
    max: MAX,
    timeScale: TIME_SCALE,
    windowMs,
    rows,
    drainRatio,
    costRatio,
    goals: { drain: DRAIN_GOAL, cost: COST_GOAL },
    met,
  });
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
  await redis[Symbol.asyncDispose]();
}
