/**
 * 06.1 checks: the student's worker Dockerfile, built and run on the real engine.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** One instruction of the Dockerfile: continuation lines joined, comments left out. */
interface Instruction {
  line: number;
  op: string;
  args: string;
}

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (!buffer && line === '')) return;
    if (!buffer) start = index + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(buffer)!;
    out.push({ line: start, op: match[1]!.toUpperCase(), args: match[2]! });
    buffer = '';
  });
  return out;
}

/** The sources of a COPY/ADD from the build context (none for `--from=` copies). */
function contextSources(instruction: Instruction): string[] {
  const words = instruction.args.split(/\s+/).filter((w) => w !== '');
  if (words.some((w) => w.startsWith('--from='))) return [];
  const rest = words.filter((w) => !w.startsWith('--'));
  const list = rest.join(' ').startsWith('[') ? (JSON.parse(rest.join(' ')) as string[]) : rest;
  return list.slice(0, -1);
}

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
  it('installs in the image, from the lockfile alone first (a source edit keeps that layer)', () => {
    const steps = instructions(readFileSync(DOCKERFILE, 'utf8'));
    const fromHost = steps.filter(
      (s) =>
        ['COPY', 'ADD'].includes(s.op) && contextSources(s).some((f) => /node_modules/.test(f)),
    );
    expect(
      fromHost.map((s) => `line ${s.line}: ${s.op} ${s.args}`),
      "🚨 node_modules is never copied from the host: .dockerignore keeps it out, and it holds the host's dev dependencies and binaries; install inside the image",
    ).toEqual([]);
    const fetchAt = steps.findIndex((s) => s.op === 'RUN' && /\bpnpm\s+fetch\b/.test(s.args));
    expect(
      fetchAt,
      '🚨 no `RUN pnpm fetch` step: fetch the dependencies from the lockfile first',
    ).toBeGreaterThan(-1);
    const early = steps
      .slice(0, fetchAt)
      .filter((s) => ['COPY', 'ADD'].includes(s.op))
      .filter((s) =>
        contextSources(s).some(
          (f) => !['pnpm-lock.yaml', 'pnpm-workspace.yaml'].includes(f.replace(/^\.\//, '')),
        ),
      );
    expect(
      early.map((s) => `line ${s.line}: ${s.op} ${s.args}`),
      '🚨 layer cache: only pnpm-lock.yaml and pnpm-workspace.yaml may be copied before `pnpm fetch`: an edit of anything else copied before it downloads every package again',
    ).toEqual([]);
  });

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
    expect(
      image.Config.Cmd,
      '🚨 exec-form CMD ["node", "bin/imgq-worker.mjs"]: the shell form runs under /bin/sh -c, and a shell as PID 1 does not pass docker stop\'s SIGTERM on to node',
    ).toEqual(['node', 'bin/imgq-worker.mjs']);
  }, 300_000);

  it('holds production dependencies only (no vitest, TypeScript, biome, test kit)', async () => {
    await built();
    const { code, out } = await runOnce(TAG, ['ls', '/app/node_modules/.pnpm']);
    expect(code, '🚨 /app/node_modules/.pnpm must exist: pnpm deploy into /app').toBe(0);
    const offenders = out.split('\n').filter((name) => DEV_TOOLING.test(name));
    expect(offenders, '🚨 dev dependencies in the final image: install with --prod').toEqual([]);
    expect(out, '🚨 sharp must be installed: the worker needs it').toMatch(/sharp@/);
    const pnpm = await runOnce(TAG, ['sh', '-c', 'command -v pnpm']);
    expect(
      pnpm.code,
      `🚨 pnpm is in the final image (${pnpm.out.trim()}): the last stage must start FROM the base image again and take only /app from the deploy stage`,
    ).not.toBe(0);
  }, 300_000);

  it("has a HEALTHCHECK that asks the worker's /healthz with a program the image has", async () => {
    await built();
    const image = await docker.getImage(TAG).inspect();
    const test = image.Config.Healthcheck?.Test ?? [];
    expect(
      test.length,
      '🚨 no HEALTHCHECK in the image: docker (and Compose) cannot tell a hung worker from a working one',
    ).toBeGreaterThan(0);
    const [form, ...rest] = test;
    const argv = form === 'CMD-SHELL' ? (rest[0] ?? '').trim().split(/\s+/) : rest;
    expect(
      argv.join(' '),
      "🚨 the health check must ask http://127.0.0.1:8080/healthz (the worker's HEALTH_PORT)",
    ).toMatch(/(127\.0\.0\.1|localhost):(8080|\$\{?HEALTH_PORT\}?)\/healthz/);
    const program = argv[0] ?? '';
    const found = await runOnce(TAG, ['sh', '-c', `command -v ${program}`]);
    expect(
      found.code,
      `🚨 the health check runs \`${program}\`, which the image does not have (node:24-bookworm-slim has no curl or wget): it could never pass; use node -e`,
    ).toBe(0);
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
