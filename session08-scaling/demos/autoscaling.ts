/** A burst of photos on real worker processes: KEDA wakes the pool, the HPA scales it up, the queue drains, the pool scales back down to zero; writes the chart. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoRedis } from '@workbook/session04/testing';
import { QueueInspector } from '@workbook/session05';
import {
  type AutoscalerSnapshot,
  clockText,
  decisionText,
  LocalAutoscaler,
  ProcessReplicaDriver,
  queueScaledObject,
  renderAutoscalerLine,
  renderAutoscalerView,
  runLoad,
  workerSeconds,
  writeScalingChart,
} from '@workbook/session08';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import { fixturePhotos } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { kedaReplicas } from '#ex/04-keda-activation/keda.ts';

const BURST = 150;
const MAX_REPLICAS = 5;
const TIME_SCALE = 20; // 15 s HPA syncs every 0.75 s; the 300 s window takes 15 s
const PIPELINE = {
  steps: [
    { name: 'resize', params: { width: 1200 } },
    { name: 'blur', params: { sigma: 1.5 } },
  ],
  output: { format: 'webp' as const },
};

await runMain(async () => {
  title('Session 08 · Autoscaling: KEDA and the HPA scale real workers on a burst');
  const redis = await demoRedis();
  const out = demoOutDir(import.meta.url);
  const queue = `demo-autoscaling-${process.pid}`;
  const tty = process.stdout.isTTY === true;
  const events: string[] = [];
  const t0 = Date.now();
  const driver = new ProcessReplicaDriver({
    redisUrl: redis.url,
    queue,
    idPrefix: 'worker',
    gracePeriodMs: 10_000,
    // One libvips thread per worker: each replica is worth about one core, like a pod with
    // `limits.cpu: 1`, so adding replicas adds capacity (up to this machine's cores).
    env: { VIPS_CONCURRENCY: '1' },
    onEvent: (e) => {
      const line = `${clockText(e.at - t0)} ${e.replica} ${e.kind}${e.detail ? ` (${e.detail.split('\n')[0]})` : ''}`;
      events.push(line);
      if (!tty) console.log(chalk.dim(`  ${line}`));
    },
  });
  // cooldownPeriod 450 s instead of the default 300 s: with the default, the HPA's 300 s window and
  // KEDA's cooldown end together; a longer cooldown shows the two controllers take turns.
  const scaledObject = queueScaledObject(queue, {
    maxReplicaCount: MAX_REPLICAS,
    cooldownPeriod: 450,
  });
  let peakDepth = 0;
  let lastLine = 0;
  const onTick = (snapshot: AutoscalerSnapshot) => {
    peakDepth = Math.max(peakDepth, snapshot.sample.pending + snapshot.sample.processing);
    if (tty) {
      const view = renderAutoscalerView(snapshot, {
        queue,
        width: Math.min(process.stdout.columns ?? 100, 130),
        events,
        peakDepth,
      });
      process.stdout.write(`\u001b[H\u001b[J${view}\n`);
    } else if (snapshot.step.changed || snapshot.sample.t - lastLine > 5_000) {
      lastLine = snapshot.sample.t;
      console.log(renderAutoscalerLine(snapshot));
    }
  };
  const autoscaler = new LocalAutoscaler({
    redisUrl: redis.url,
    queue,
    driver,
    timeScale: TIME_SCALE,
    scaledObject,
    onTick,
  });
  const inspector = new QueueInspector({ url: redis.url, name: queue });
  step(
    `ScaledObject on ${chalk.cyan(scaledObject.triggers[0]!.metadata.listName)}: listLength 5, activation 0, ` +
      `0..${MAX_REPLICAS} workers, polling 30 s, cooldown 450 s; HPA defaults (4 pods or 100 % per 15 s up, 300 s window down)`,
  );
  step(
    `Time runs ×${TIME_SCALE}: the controllers see the real defaults; a minute here is 20 minutes for them.`,
  );
  step(
    `Workers are real processes: ${chalk.cyan('node session05-monitoring/bin/imgq-worker.mjs')}, scaled down with SIGTERM (drain).`,
  );
  if (tty) await new Promise((resolve) => setTimeout(resolve, 2_500));
  if (tty) process.stdout.write('\u001b[?1049h'); // the alternate screen: the shell comes back untouched
  let burstAt = 0;
  let drainedAt = 0;
  let ids: string[] = [];
  try {
    await autoscaler.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    burstAt = Date.now();
    const load = await runLoad({
      redisUrl: redis.url,
      queue,
      pattern: { kind: 'burst', count: BURST },
      photos: fixturePhotos(),
      outDir: path.join(out, 'images'),
      pipeline: PIPELINE,
    });
    ids = load.taskIds;
    events.push(`${clockText(burstAt - t0)} burst: ${BURST} photos enqueued`);
    const deadline = Date.now() + 150_000;
    for (;;) {
      const counts = await inspector.counts();
      if (!drainedAt && counts.completed + counts.dlq >= BURST) drainedAt = Date.now();
      if (drainedAt && driver.desired === 0 && driver.replicas().every((r) => r.state === 'exited'))
        break;
      if (Date.now() > deadline)
        throw new Error(
          'The pool did not drain and scale back to zero within 150 s (is the machine very busy?)',
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await autoscaler.stop();
    if (tty) process.stdout.write('\u001b[?1049l');
    await driver.close();
  }

  const counts = await inspector.counts();
  const results = await Promise.all(ids.map((id) => inspector.result(id)));
  await inspector.close();
  await redis.stop();
  const replicas = driver.replicas();
  const end = Date.now();
  const chart = await writeScalingChart(
    path.join(out, 'chart'),
    autoscaler.samples,
    autoscaler.decisions,
    {
      title: `Burst of ${BURST} photos, KEDA redis trigger + HPA, up to ${MAX_REPLICAS} worker processes`,
      subtitle: `time ×${TIME_SCALE} (axis: wall seconds, model minutes) · listLength 5 · HPA defaults: sync 15 s, window 300 s · KEDA: polling 30 s, cooldown 450 s`,
      timeScale: TIME_SCALE,
    },
  );
  writeFileSync(
    path.join(out, 'timeline.json'),
    `${JSON.stringify({ samples: autoscaler.samples, decisions: autoscaler.decisions, replicas }, null, 2)}\n`,
  );

  title('What happened');
  for (const d of autoscaler.decisions) console.log(`  ${decisionText(d)}`);
  console.log();
  const doneTasks = results.filter((r) => r?.status === 'completed').length;
  const byWorkers = replicas.reduce((sum, r) => sum + (r.completed ?? 0), 0);
  table([
    { measure: 'tasks in the burst', value: BURST },
    { measure: 'completed (one result each)', value: doneTasks },
    { measure: 'completions reported by the workers', value: byWorkers },
    { measure: 'dead-lettered / lost', value: `${counts.dlq} / ${BURST - doneTasks - counts.dlq}` },
    { measure: 'peak replicas', value: Math.max(0, ...autoscaler.decisions.map((d) => d.to)) },
    { measure: 'burst → drained', value: `${((drainedAt - burstAt) / 1000).toFixed(1)} s` },
    { measure: 'worker-seconds used', value: workerSeconds(replicas, t0, end).toFixed(1) },
    {
      measure: 'scale-downs that exited 0 (drained)',
      value: `${replicas.filter((r) => r.exitCode === 0).length}/${replicas.length}`,
    },
  ]);
  console.log();
  // 08.4, your code: what would KEDA + an unhurried HPA settle on, at each sample of this run?
  try {
    let last: number | null = null;
    let mine = 0;
    let peak = 0;
    for (const s of autoscaler.samples) {
      const r = kedaReplicas(
        { length: s.pending, currentReplicas: mine, lastActiveAt: last, now: s.model },
        { listLength: 5, maxReplicaCount: MAX_REPLICAS },
      );
      last = r.lastActiveAt;
      mine = r.replicas;
      peak = Math.max(peak, mine);
    }
    done(
      `Your 08.4 kedaReplicas (exercises/04-keda-activation, via #ex) on this run's queue lengths: peak ${peak}, ends at ${mine} (the library, with the HPA's rate limits and windows, went up to ${Math.max(...autoscaler.decisions.map((d) => d.to))} and ended at 0).`,
    );
  } catch (error) {
    warn(
      `Your 08.4 kedaReplicas is not solved yet (${(error as Error).message}); \`pnpm demo autoscaling --solution\` runs the reference.`,
    );
  }
  done(
    `Chart: ${path.relative(process.cwd(), chart.png)} (and .svg); timeline: ${path.relative(process.cwd(), path.join(out, 'timeline.json'))}`,
  );
  if (doneTasks !== BURST || byWorkers !== BURST)
    throw new Error(
      `Expected ${BURST} tasks done exactly once, got ${doneTasks} results and ${byWorkers} completions`,
    );
  done(
    `${BURST} photos processed exactly once by up to ${Math.max(...autoscaler.decisions.map((d) => d.to))} workers; every scale-down was a drain (exit 0).`,
  );
});
