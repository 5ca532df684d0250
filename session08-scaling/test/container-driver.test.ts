/**
 * The local autoscaler driving worker CONTAINERS through session 06's `Stack` on the real Docker
 * engine: the producer container enqueues the sample photos, KEDA + the HPA scale the workers
 * from zero, the queue drains, the workers are stopped with `docker stop` (drain, exit 0) back to
 * zero. No engine → the test fails with how to get one (like session 06's).
 */

import { QueueInspector } from '@workbook/session05';
import {
  checkEngine,
  connectEngine,
  ensureCourseImages,
  ensurePulled,
  REDIS_IMAGE,
  RUN_LABEL,
  removeLabelled,
  Stack,
} from '@workbook/session06';
import { waitFor } from '@workbook/tools/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/autoscaler/clock.ts';
import { ContainerReplicaDriver, LocalAutoscaler, queueScaledObject } from '../src/index.ts';

const docker = connectEngine();
const RUN_ID = `s08-${process.pid}-${Date.now().toString(36)}`;

afterAll(async () => {
  await removeLabelled(docker, `${RUN_LABEL}=${RUN_ID}`);
});

describe('container replicas (session 06 Stack) on the real engine', () => {
  it('scales worker containers from zero on the queue, drains them with docker stop, back to zero; every photo done once', async () => {
    await checkEngine(docker);
    await ensurePulled(docker, REDIS_IMAGE);
    await ensureCourseImages(docker);
    const stack = new Stack(docker, {
      name: `s08-${Math.random().toString(36).slice(2, 7)}`,
      labels: { [RUN_LABEL]: RUN_ID },
      redisPort: 0,
      gracePeriodMs: 5_000,
    });
    await stack.up({ workers: 0 });
    const redisUrl = await stack.redisUrl();
    const driver = new ContainerReplicaDriver(stack);
    // Model time in the test's hands: it stands still while the containers start and drain, so
    // the queue is seen at known moments only (no early cooldown, no second activation).
    const clock = new ManualClock();
    const autoscaler = new LocalAutoscaler({
      redisUrl,
      queue: stack.queue,
      driver,
      clock,
      tickMs: 50,
      scaledObject: queueScaledObject(stack.queue, { maxReplicaCount: 2 }),
    });
    const inspector = new QueueInspector({ url: redisUrl, name: stack.queue });
    /** Moves model time one 15 s sync period on and waits until the loop has run at that time. */
    const step = async () => {
      const now = clock.advance(15_000);
      await waitFor(() => (autoscaler.last?.model ?? -1) >= now, {
        timeoutMs: 60_000,
        message: `the autoscaler did not tick at model time ${now / 1000} s`,
      });
    };
    try {
      await autoscaler.start();
      const ids = await stack.produce('thumbnail');
      expect(
        ids.length,
        '🚨 the producer enqueued more photos than one replica takes (5)',
      ).toBeGreaterThan(5);
      // 15 s: an HPA sync at zero replicas (nothing); 30 s: KEDA's poll sees the photos.
      await step();
      await step();
      await waitFor(
        async () =>
          (await inspector.counts()).completed + (await inspector.counts()).dlq >= ids.length,
        {
          timeoutMs: 180_000,
          message: 'the worker containers did not drain the queue',
        },
      );
      // Every replica up before time moves on: a scale-down then drains a running worker, never
      // one still starting (which a loaded machine can take long to start).
      await waitFor(
        () => driver.replicas().length === 2 && driver.replicas().every((r) => r.state === 'ready'),
        { timeoutMs: 180_000, message: 'the 2 replicas did not all become ready' },
      );
      for (let i = 0; i < 40 && driver.desired > 0; i++) await step();
      await waitFor(async () => driver.desired === 0 && (await stack.workers()).length === 0, {
        timeoutMs: 120_000,
        message: 'the containers were not scaled back to zero',
      });
      await driver.settled();
      await autoscaler.stop();

      const history = JSON.stringify(autoscaler.decisions);
      expect(
        autoscaler.decisions,
        `🚨 from zero to maxReplicaCount at KEDA's first poll (the HPA's proposal is the larger), down to 1 when the HPA's 300 s window has passed, to zero by KEDA at the poll after its 300 s cooldown: ${history}`,
      ).toEqual([
        expect.objectContaining({ model: 30_000, from: 0, to: 2 }),
        expect.objectContaining({ model: 330_000, from: 2, to: 1, source: 'hpa' }),
        expect.objectContaining({ model: 360_000, from: 1, to: 0, source: 'keda' }),
      ]);
      const replicas = driver.replicas();
      expect(replicas.length, '🚨 the two containers of maxReplicaCount were started').toBe(2);
      expect(
        replicas.map((r) => [r.state, r.exitCode]),
        '🚨 each stopped with docker stop: drained, exit 0',
      ).toEqual(replicas.map(() => ['exited', 0]));
      expect(
        driver.failures.map((f) => f.message),
        '🚨 no container failed',
      ).toEqual([]);
      const results = await Promise.all(ids.map((id) => inspector.result(id)));
      expect(results.filter((r) => r?.status === 'completed').length, '🚨 every photo done').toBe(
        ids.length,
      );
      expect((await inspector.counts()).completed, '🚨 exactly once each').toBe(ids.length);
    } finally {
      await autoscaler.stop().catch(() => {});
      await inspector.close();
      await stack.down();
    }
  }, 600_000);
});
