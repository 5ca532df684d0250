/**
 * 06.1 checks: the student's worker Dockerfile, built and run on the real engine.
 */
import { createHash } from 'node:crypto';
import { ReliableTaskQueue } from '@workbook/session05';
import { ensureImage, packContext, REPO_ROOT, type Stack } from '@workbook/session06';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKERFILE } from '#ex/01-worker-dockerfile/dockerfile.ts';
import {
  accounting,
  cleanup,
  courseImages,
  docker,
  enqueue,
  execIn,
  photoFiles,
  runOnce,
  SLOW_PIPELINE,
  testStack,
  waitFinished,
} from '../support.ts';

const TAG = `workbook-ex0601:${createHash('sha256').update(DOCKERFILE).digest('hex').slice(0, 10)}`;
const DEV_TOOLING = /(^|\/)(vitest|typescript|@biomejs|vite|@vitest|@workbook\+tools)(@|\/|$)/;
const GRACE_MS = 15_000;

let building: Promise<unknown> | undefined;
/** Builds the student's image once (every check needs it). */
function built() {
  building ??= (async () => {
    await courseImages();
    const context = packContext({ root: REPO_ROOT, dockerfile: DOCKERFILE });
    return ensureImage(docker, context, { tag: TAG });
  })();
  return building;
}

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.down();
  await cleanup();
}, 60_000);

describe('06.1 worker Dockerfile', () => {
  it('builds on the real engine', async () => {
    const status = await built();
    expect(status, '🚨 the build must produce an image').toMatchObject({ tag: TAG });
  }, 300_000);

  it('runs the worker as a non-root user', async () => {
    await built();
    const image = await docker.getImage(TAG).inspect();
    const { out } = await runOnce(TAG, ['id', '-u']);
    expect(
      out.trim(),
      `🚨 the worker must not run as root (uid 0): add USER node to the final stage (image user: "${image.Config.User}")`,
    ).not.toBe('0');
    expect(image.Config.Cmd, '🚨 exec-form CMD ["node", "bin/imgq-worker.mjs"]').toEqual([
      'node',
      'bin/imgq-worker.mjs',
    ]);
  }, 300_000);

  it('holds production dependencies only (no vitest, TypeScript, biome, test kit)', async () => {
    await built();
    const { code, out } = await runOnce(TAG, ['ls', '/app/node_modules/.pnpm']);
    expect(code, '🚨 /app/node_modules/.pnpm must exist: pnpm deploy into /app').toBe(0);
    const offenders = out.split('\n').filter((name) => DEV_TOOLING.test(name));
    expect(offenders, '🚨 dev dependencies in the final image: install with --prod').toEqual([]);
    expect(out, '🚨 sharp must be installed: the worker needs it').toMatch(/sharp@/);
  }, 300_000);

  it('docker stop of a busy worker: exit 0 within the grace period, no task lost', async () => {
    await built();
    stack = testStack('ex0601', { workerImage: TAG, gracePeriodMs: GRACE_MS });
    await stack.up({ workers: 1 });
    const queue = new ReliableTaskQueue({ url: await stack.redisUrl(), name: stack.queue });
    try {
      const inputs = await stack.putInputs(photoFiles(['rocket.jpg', 'coffee.png']));
      const ids = await enqueue(queue, inputs, SLOW_PIPELINE, 'ex1-');
      const [worker] = await stack.workers();
      const { waitFor } = await import('@workbook/tools/testkit');
      await waitFor(async () => (await queue.leases()).length > 0, {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      const pid1 = await execIn(docker.getContainer(worker!.id), ['cat', '/proc/1/cmdline']);
      expect(pid1.replace(/\0/g, ' '), '🚨 PID 1 must be node (exec-form CMD)').toMatch(/^node /);
      const result = await stack.stopWorker(worker!.name);
      expect(
        result.exitCode,
        '🚨 docker stop must end in a graceful exit 0, not SIGKILL (137)',
      ).toBe(0);
      const counts = await queue.counts();
      expect(counts.processing, '🚨 nothing may stay leased by the stopped worker').toBe(0);
      await stack.scale(1);
      await waitFinished(queue, ids.length, 120_000);
      const { done, lost } = await accounting(queue, ids);
      expect(lost, '🚨 no task may be lost').toEqual([]);
      expect(done.length, '🚨 every photo is processed in the end').toBe(ids.length);
    } finally {
      await queue.close();
    }
  }, 300_000);
});
