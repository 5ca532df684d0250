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
    const autoscaler = new LocalAutoscaler({
      redisUrl,
      queue: stack.queue,
      driver,
      timeScale: 60,
      scaledObject: queueScaledObject(stack.queue, { maxReplicaCount: 2 }),
    });
    const inspector = new QueueInspector({ url: redisUrl, name: stack.queue });
    try {
      await autoscaler.start();
      const ids = await stack.produce('thumbnail');
      expect(ids.length, '🚨 the producer enqueued the sample photos').toBeGreaterThan(3);
      await waitFor(
        async () =>
          (await inspector.counts()).completed + (await inspector.counts()).dlq >= ids.length,
        {
          timeoutMs: 180_000,
          message: 'the worker containers did not drain the queue',
        },
      );
      await waitFor(async () => driver.desired === 0 && (await stack.workers()).length === 0, {
        timeoutMs: 120_000,
        message: 'the containers were not scaled back to zero',
      });
      await driver.settled();
      await autoscaler.stop();

      // From zero, by KEDA's activation; when the HPA's proposal is the larger in that same
      // sync (a fast burst), the decision is recorded as the HPA's.
      expect(autoscaler.decisions[0], '🚨 the workload is activated from zero').toMatchObject({
        from: 0,
      });
      expect(['keda', 'hpa'], '🚨 scaled from zero by KEDA (or the HPA it drives)').toContain(
        autoscaler.decisions[0]!.source,
      );
      expect(
        Math.max(...autoscaler.decisions.map((d) => d.to)),
        '🚨 the HPA scales to maxReplicaCount',
      ).toBe(2);
      expect(autoscaler.decisions.at(-1), '🚨 back to zero at the end').toMatchObject({ to: 0 });
      const replicas = driver.replicas();
      expect(
        replicas.length,
        '🚨 at least the two containers of maxReplicaCount were started',
      ).toBeGreaterThanOrEqual(2);
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
