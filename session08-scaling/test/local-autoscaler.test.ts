/**
 * The local autoscaler on real worker processes (`node session05-monitoring/bin/imgq-worker.mjs`)
 * and a private Redis, with model time in the test's hands (a ManualClock): a burst scales the
 * pool up from zero, the queue drains while model time stands still, then model time moves in
 * 15 s steps so that the HPA's scale-down stabilization window (300 s) comes due before KEDA's
 * cooldown (600 s here), each at a known moment whatever the machine's speed. Every task is
 * done exactly once, and every scale-down was a graceful exit 0.
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
import { ManualClock } from '../src/autoscaler/clock.ts';
import {
  LocalAutoscaler,
  ProcessReplicaDriver,
  queueScaledObject,
  type ReplicaEvent,
  runLoad,
} from '../src/index.ts';

const BURST = 40;
const SYNC_MS = 15_000;
const COOLDOWN_S = 600;
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
  it('scales up on a burst, drains, scales down after the stabilization window, then to zero after the cooldown; nothing lost or duplicated', async () => {
    const queue = uniqueName('autoscale');
    const events: ReplicaEvent[] = [];
    const driver = new ProcessReplicaDriver({
      redisUrl: redis.url,
      queue,
      gracePeriodMs: 10_000,
      env: { VIPS_CONCURRENCY: '1' },
      onEvent: (e) => events.push(e),
    });
    const clock = new ManualClock();
    const autoscaler = new LocalAutoscaler({
      redisUrl: redis.url,
      queue,
      driver,
      clock,
      tickMs: 20,
      // A cooldown longer than the HPA's 300 s window: the HPA shrinks the pool first, then
      // KEDA takes it to zero (with both at 300 s they come due in the same poll).
      scaledObject: queueScaledObject(queue, { maxReplicaCount: 3, cooldownPeriod: COOLDOWN_S }),
    });
    const inspector = new QueueInspector({ url: redis.url, name: queue });
    /** Moves model time one sync period on and waits until the loop has run at that time. */
    const step = async () => {
      const now = clock.advance(SYNC_MS);
      await waitFor(() => (autoscaler.last?.model ?? -1) >= now, {
        timeoutMs: 30_000,
        message: `the autoscaler did not tick at model time ${now / 1000} s`,
      });
    };
    try {
      await autoscaler.start();
      await waitFor(() => autoscaler.last !== undefined, { timeoutMs: 30_000 });
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
      const ids = burst.taskIds;
      // 15 s: an HPA sync at zero replicas (nothing); 30 s: KEDA's poll sees 40 pending.
      await step();
      await step();
      expect(autoscaler.decisions, '🚨 the burst scales the pool up at the first poll').toEqual([
        expect.objectContaining({ model: 30_000, from: 0, to: 3 }),
      ]);
      // Model time stands still while the workers drain the burst: nothing comes due.
      await waitFor(async () => (await inspector.counts()).completed >= ids.length, {
        timeoutMs: 150_000,
        message: 'the workers did not drain the burst',
      });
      expect(autoscaler.decisions, '🚨 no decision while model time stands still').toHaveLength(1);
      // Then in sync periods until KEDA has taken the pool to zero.
      // Every replica up before time moves on: a scale-down then drains a running worker, never
      // one still starting (which a loaded machine can take long to start).
      await waitFor(
        () => driver.replicas().length === 3 && driver.replicas().every((r) => r.state === 'ready'),
        { timeoutMs: 180_000, message: 'the 3 replicas did not all become ready' },
      );
      for (let i = 0; i < 60 && driver.desired > 0; i++) await step();
      await waitFor(() => driver.replicas().every((r) => r.state === 'exited'), {
        timeoutMs: 60_000,
        message: 'the workers did not drain and exit',
      });
      await autoscaler.stop();

      const [up, hpaDown, kedaDown] = autoscaler.decisions;
      const history = JSON.stringify(autoscaler.decisions);
      expect(
        autoscaler.decisions,
        `🚨 up, down by the HPA, to zero by KEDA: ${history}`,
      ).toHaveLength(3);
      expect(up, '🚨 from zero to maxReplicaCount').toMatchObject({ from: 0, to: 3 });
      expect(hpaDown, '🚨 the HPA scales down to 1 (the queue is empty)').toMatchObject({
        from: 3,
        to: 1,
        source: 'hpa',
      });
      expect(
        hpaDown!.model - up!.model,
        `🚨 not before the 300 s stabilization window has passed, at the first sync after it: ${history}`,
      ).toBeGreaterThanOrEqual(300_000);
      expect(hpaDown!.model - up!.model).toBeLessThanOrEqual(300_000 + SYNC_MS);
      expect(kedaDown, '🚨 KEDA takes the pool to zero after its cooldown').toMatchObject({
        from: 1,
        to: 0,
        source: 'keda',
      });
      expect(
        kedaDown!.model - up!.model,
        `🚨 the cooldown counts from the last poll that saw tasks (30 s): ${history}`,
      ).toBeGreaterThanOrEqual(COOLDOWN_S * 1000);
      expect(kedaDown!.model - up!.model).toBeLessThanOrEqual(COOLDOWN_S * 1000 + 30_000);

      // Every worker was drained and exited 0.
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
  }, 300_000);
});
