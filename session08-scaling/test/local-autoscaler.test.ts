/**
 * The local autoscaler on real worker processes (`node session05-monitoring/bin/imgq-worker.mjs`)
 * and a private Redis: a burst scales the pool up from zero, the queue drains, a trickle keeps
 * the workers busy while the compressed stabilization window brings the pool down (so workers
 * are drained with tasks in flight), and KEDA's cooldown takes it to zero. Every task is done
 * exactly once, and every scale-down was a graceful exit 0.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueInspector } from '@workbook/session05';
import {
  fixturePhotos,
  type RedisServerHandle,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalAutoscaler,
  ProcessReplicaDriver,
  queueScaledObject,
  type ReplicaEvent,
  runLoad,
} from '../src/index.ts';

const TIME_SCALE = 60; // 15 s syncs every 0.25 s; the 300 s window and cooldown take 5 s
const BURST = 40;
const TRICKLE = { rate: 3, durationMs: 12_000 };
const PIPELINE = {
  steps: [
    { name: 'resize', params: { width: 1200 } },
    { name: 'blur', params: { sigma: 1.5 } },
  ],
  output: { format: 'webp' as const },
};

let redis: RedisServerHandle;
let dir: string;
beforeAll(async () => {
  redis = await testRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'session08-autoscaler-'));
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('local autoscaler on real worker processes', () => {
  it('scales up on a burst, drains, scales down only after the stabilization window or cooldown, then to zero; nothing lost or duplicated', async () => {
    const queue = uniqueName('autoscale');
    const events: ReplicaEvent[] = [];
    const driver = new ProcessReplicaDriver({
      redisUrl: redis.url,
      queue,
      gracePeriodMs: 10_000,
      env: { VIPS_CONCURRENCY: '1' },
      onEvent: (e) => events.push(e),
    });
    const autoscaler = new LocalAutoscaler({
      redisUrl: redis.url,
      queue,
      driver,
      timeScale: TIME_SCALE,
      scaledObject: queueScaledObject(queue, { maxReplicaCount: 3 }),
    });
    const inspector = new QueueInspector({ url: redis.url, name: queue });
    try {
      await autoscaler.start();
      const photos = fixturePhotos();
      const outDir = path.join(dir, 'out');
      const burst = await runLoad({
        redisUrl: redis.url,
        queue,
        pattern: { kind: 'burst', count: BURST },
        photos,
        outDir,
        pipeline: PIPELINE,
      });
      // Once the burst is mostly done, a trickle keeps the workers busy through the window.
      await waitFor(async () => (await inspector.counts()).pending < 5, {
        timeoutMs: 90_000,
        message: 'the autoscaler did not drain the burst',
      });
      const trickle = await runLoad({
        redisUrl: redis.url,
        queue,
        pattern: { kind: 'steady', ...TRICKLE },
        photos,
        outDir,
        pipeline: PIPELINE,
      });
      const ids = [...burst.taskIds, ...trickle.taskIds];
      await waitFor(async () => (await inspector.counts()).completed >= ids.length, {
        timeoutMs: 60_000,
        message: 'the queue was not drained',
      });
      await waitFor(
        () => driver.desired === 0 && driver.replicas().every((r) => r.state === 'exited'),
        {
          timeoutMs: 40_000,
          message: 'the pool did not scale back to zero',
        },
      );
      await autoscaler.stop();

      // Scaled up from zero to the maximum, by KEDA's activation and the HPA.
      const ups = autoscaler.decisions.filter((d) => d.to > d.from);
      expect(ups[0]?.from, '🚨 the pool starts at zero (minReplicaCount 0)').toBe(0);
      expect(
        Math.max(...autoscaler.decisions.map((d) => d.to)),
        '🚨 the burst takes the pool to maxReplicaCount',
      ).toBe(3);
      // Every scale-down comes at least 300 model-seconds after the scale-up before it: the
      // HPA's scale-down stabilization window, or KEDA's cooldown once the list stays empty
      // (which of the two acts first depends on how fast this machine drains the burst).
      const downs = autoscaler.decisions.filter((d) => d.to < d.from);
      const history = JSON.stringify(autoscaler.decisions);
      expect(downs.length, `🚨 the pool scales down after the burst: ${history}`).toBeGreaterThan(
        0,
      );
      for (const down of downs) {
        const upBefore = ups.filter((u) => u.model <= down.model).at(-1)!;
        expect(
          down.model - upBefore.model,
          `🚨 no scale-down within 300 model-seconds of a scale-up (stabilization / cooldown): ${history}`,
        ).toBeGreaterThanOrEqual(300_000);
      }
      expect(downs.at(-1), '🚨 KEDA takes the pool to zero after its cooldown').toMatchObject({
        to: 0,
        source: 'keda',
      });

      // Workers were drained, also while the trickle kept them busy (whether the HPA or KEDA's
      // cooldown shrinks the pool first depends on the machine's speed), and every one exited 0.
      const replicas = driver.replicas();
      expect(
        driver.failures.map((f) => f.message),
        '🚨 no replica failed to start or to drain',
      ).toEqual([]);
      expect(
        replicas.map((r) => r.exitCode),
        '🚨 every scale-down is a graceful exit 0 (SIGTERM, drain), never a kill',
      ).toEqual(replicas.map(() => 0));

      // Nothing lost, nothing done twice.
      const counts = await inspector.counts();
      expect(counts.dlq, '🚨 no task dead-lettered').toBe(0);
      expect(
        counts.pending + counts.processing + counts.delayed,
        '🚨 nothing left in the queue',
      ).toBe(0);
      const results = await Promise.all(ids.map((id) => inspector.result(id)));
      expect(
        results.filter((r) => r?.status === 'completed').length,
        '🚨 every task has a completed result (none lost)',
      ).toBe(ids.length);
      expect(
        counts.completed,
        '🚨 completed exactly once each (the counter would count a second completion)',
      ).toBe(ids.length);
      const doneByWorkers = replicas.reduce((sum, r) => sum + (r.completed ?? 0), 0);
      expect(
        doneByWorkers,
        '🚨 the workers together report exactly one completion per task (no duplicates)',
      ).toBe(ids.length);
      expect(
        results.every((r) => r?.output && existsSync(r.output.path)),
        '🚨 every output image was written',
      ).toBe(true);
      expect(
        events.filter((e) => e.kind === 'exited').length,
        '🚨 every started worker exited after draining',
      ).toBe(replicas.length);
    } finally {
      await autoscaler.stop().catch(() => {});
      await driver.close();
      await inspector.close();
    }
  }, 180_000);
});
