/**
 * The images on a real engine: non-root, no dev dependency, health check against the worker's
 * own endpoint, exec-form CMD, OCI labels, within the size budget; and builds that fail as
 * errors naming the step, or the missing base image.
 */
import {
  BUILD_KEY_LABEL,
  buildImage,
  IMGQ_IMAGE,
  inspectImage,
  NODE_BASE_IMAGE,
  packTar,
  WORKER_IMAGE,
} from '@workbook/session06';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, courseImages, docker, runOnce } from './support.ts';

const DEV_TOOLING =
  /(^|\/)(vitest|typescript|@biomejs|vite|@vitest|@workbook\+tools|jimp|bullmq)(@|\/|$)/;

afterAll(cleanup, 60_000);

describe('imgq-worker image', () => {
  it('runs as uid 1000, execs node, checks its own /healthz, has OCI labels', async () => {
    await courseImages();
    const image = (await inspectImage(docker, WORKER_IMAGE))!;
    expect(image.Config.User, '🚨 USER node (uid 1000)').toBe('node');
    expect(image.Config.Cmd, '🚨 exec-form CMD: node is PID 1').toEqual([
      'node',
      'bin/imgq-worker.mjs',
    ]);
    expect(
      image.Config.Healthcheck?.Test?.join(' '),
      '🚨 the health check asks the worker itself',
    ).toMatch(/\/healthz/);
    expect(image.Config.Env).toContain('HEALTH_PORT=8080');
    const labels = image.Config.Labels ?? {};
    expect(labels['org.opencontainers.image.title']).toBe('imgq-worker');
    expect(labels['org.opencontainers.image.version']).toBe('0.1.0');
    expect(labels[BUILD_KEY_LABEL], 'built from a known context').toMatch(/^[0-9a-f]{32}$/);
    const { out } = await runOnce(WORKER_IMAGE, ['id', '-u']);
    expect(out.trim(), '🚨 the process runs as uid 1000, not root').toBe('1000');
  }, 300_000);

  it('has no dev dependency (no TypeScript compiler, vitest, biome, test kit)', async () => {
    await courseImages();
    const { code, out } = await runOnce(WORKER_IMAGE, [
      'ls',
      '/app/node_modules/.pnpm',
      '/app/node_modules',
    ]);
    expect(code).toBe(0);
    const offenders = out.split('\n').filter((name) => DEV_TOOLING.test(name));
    expect(offenders, '🚨 the final image must hold production dependencies only').toEqual([]);
    expect(out, 'sharp is there (it is what the worker runs)').toMatch(/sharp@/);
  }, 300_000);

  it('stays within its base image + 80 MB', async () => {
    await courseImages();
    const base = (await inspectImage(docker, NODE_BASE_IMAGE))!;
    const worker = (await inspectImage(docker, WORKER_IMAGE))!;
    expect(
      worker.Size - base.Size,
      '🚨 the image adds at most 80 MB to node:24-bookworm-slim',
    ).toBeLessThan(80 * 1024 * 1024);
  }, 300_000);
});

describe('imgq image', () => {
  it('carries the photos and pipelines, and its entry point is the imgq CLI', async () => {
    await courseImages();
    const { out } = await runOnce(IMGQ_IMAGE, ['ls', '/photos', '/pipelines'], ['']);
    expect(out).toContain('rocket.jpg');
    expect(out).toContain('thumbnail.json');
    const help = await runOnce(IMGQ_IMAGE, ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/enqueue/);
  }, 300_000);
});

describe('builds that fail', () => {
  it('a failing RUN becomes ERR_BUILD_FAILED naming the step and what it printed', async () => {
    await courseImages();
    const context = packTar([
      {
        name: 'Dockerfile',
        data: `FROM ${NODE_BASE_IMAGE}\nRUN echo preparing\nRUN echo "no such tool" >&2 && exit 7\n`,
      },
    ]);
    await expect(buildImage(docker, { context })).rejects.toMatchObject({
      code: 'ERR_BUILD_FAILED',
      step: { index: 3, total: 3, instruction: 'RUN echo "no such tool" >&2 && exit 7' },
      message: expect.stringMatching(/no such tool/),
    });
  }, 300_000);

  it('a base image that is missing and cannot be pulled becomes ERR_BASE_IMAGE_MISSING', async () => {
    await courseImages();
    const context = packTar([
      // A Dockerfile variable (not a JavaScript one): the library resolves it from the ARG step.
      {
        name: 'Dockerfile',
        data: ['ARG BASE=workbook-no-such-base:1', 'FROM $BASE', ''].join('\n'),
      },
    ]);
    await expect(buildImage(docker, { context })).rejects.toMatchObject({
      code: 'ERR_BASE_IMAGE_MISSING',
      image: 'workbook-no-such-base:1',
      message: expect.stringMatching(/docker:offline-images/),
    });
  }, 300_000);
});
