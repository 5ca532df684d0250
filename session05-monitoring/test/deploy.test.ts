/**
 * The deployable worker, as an operator runs it: a production install made by `pnpm deploy
 * --prod` in a scratch folder (no dev dependencies), started with plain `node` and only
 * environment variables, against a private redis-server. It registers, serves /healthz and
 * /readyz, processes a real image, and exits 0 on SIGTERM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fixturePhotos,
  type RedisServerHandle,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueInspector } from '../src/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** pnpm as the test command was started with (`npx pnpm@… test` sets npm_execpath), else PATH. */
function pnpm(args: string[]) {
  const execPath = process.env.npm_execpath;
  return execPath && /pnpm/.test(execPath)
    ? spawnSync(process.execPath, [execPath, ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync('pnpm', args, { cwd: ROOT, encoding: 'utf8' });
}

let redis: RedisServerHandle;
let scratch: string;
let app: string;

beforeAll(async () => {
  redis = await testRedis();
  scratch = mkdtempSync(path.join(tmpdir(), 'workbook-deploy-'));
  app = path.join(scratch, 'app');
  // `pnpm deploy` copies a workspace package with its production dependencies into a folder
  // that runs on its own; injecting the workspace packages (sessions 01-04) is what makes it
  // self-contained.
  const deploy = pnpm([
    '--filter',
    '@workbook/session05',
    '--config.inject-workspace-packages=true',
    'deploy',
    '--prod',
    '--offline',
    app,
  ]);
  expect(deploy.status, `pnpm deploy failed:\n${deploy.stdout}\n${deploy.stderr}`).toBe(0);
}, 180_000);

afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the production install', () => {
  it('has the entries and the runtime dependencies, and no development tooling', () => {
    expect(existsSync(path.join(app, 'bin/imgq-worker.mjs'))).toBe(true);
    expect(existsSync(path.join(app, 'bin/imgq.mjs'))).toBe(true);
    const modules = readdirSync(path.join(app, 'node_modules'));
    for (const runtime of ['tsx', 'sharp', 'ioredis', 'zod', '@workbook']) {
      expect(modules, `runtime dependency ${runtime}`).toContain(runtime);
    }
    for (const dev of ['vitest', 'typescript', '@biomejs', 'vite']) {
      expect(modules, `development tool ${dev} in a production install`).not.toContain(dev);
    }
    expect(readdirSync(path.join(app, 'node_modules/@workbook'))).not.toContain('tools');
    // Only what runs ships: no tests, exercises or demos.
    expect(readdirSync(app).sort()).toEqual(
      expect.not.arrayContaining(['test', 'exercises', 'demos', 'solutions']),
    );
  });
});

describe('node bin/imgq-worker.mjs with only environment variables', () => {
  let worker: ChildProcess | undefined;
  afterAll(() => {
    worker?.kill('SIGKILL');
  });

  it('starts, registers, is healthy and ready, processes a task, and exits 0 on SIGTERM', async () => {
    const queue = uniqueName('deploy');
    const input = path.join(scratch, 'in');
    const output = path.join(scratch, 'out');
    mkdirSync(input);
    mkdirSync(output);
    const photo = fixturePhotos()[0]!;
    copyFileSync(photo, path.join(input, path.basename(photo)));
    const env = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redis.url,
      QUEUE: queue,
      WORKER_ID: 'deployed-1',
      CONCURRENCY: '2',
      INPUT_ROOT: input,
      OUTPUT_ROOT: output,
      HEALTH_PORT: '0',
      LOG_FORMAT: 'json',
    };

    // The deployed imgq queues the photo (session 02's spec checked, the image sniffed).
    const spec = path.join(scratch, 'thumbnail.json');
    writeFileSync(
      spec,
      JSON.stringify({
        steps: [{ name: 'resize', params: { width: 160 } }],
        output: { format: 'webp' },
      }),
    );
    const enqueue = spawnSync(
      process.execPath,
      ['bin/imgq.mjs', 'enqueue', input, '--pipeline', spec, '--out', output, '--json'],
      { cwd: app, env, encoding: 'utf8' },
    );
    expect(enqueue.status, enqueue.stderr).toBe(0);
    expect(JSON.parse(enqueue.stdout).enqueued).toHaveLength(1);

    const startedAt = Date.now();
    let stdout = '';
    let stderr = '';
    worker = spawn(process.execPath, ['bin/imgq-worker.mjs'], { cwd: app, env });
    worker.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', resolve));

    const events = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(() => events().some((e) => e.event === 'started'), {
      timeoutMs: 60_000,
      message: `the worker did not start:\n${stderr}`,
    });
    const startUpMs = Date.now() - startedAt;
    expect(events()[0]).toMatchObject({ event: 'image-library', libvips: expect.any(String) });

    const inspector = new QueueInspector({ url: redis.url, name: queue });
    try {
      const workers = await waitFor(async () => {
        const list = await inspector.workers();
        return list.length > 0 ? list : null;
      });
      expect(workers[0]).toMatchObject({ id: 'deployed-1', alive: true, concurrency: 2 });

      const port = await waitFor(() => /"port":(\d+),"msg":"health server/.exec(stderr)?.[1], {
        timeoutMs: 10_000,
        message: `no health server line:\n${stderr}`,
      });
      const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toMatchObject({ alive: true, workerId: 'deployed-1' });
      const readyz = await waitFor(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        return response.status === 200 ? response : null;
      });
      expect(await readyz.json()).toMatchObject({ ready: true, status: 'running' });

      await waitFor(async () => (await inspector.counts()).completed === 1, {
        timeoutMs: 30_000,
        message: `the task was not completed:\n${stdout}\n${stderr}`,
      });
      expect(readdirSync(output)).toHaveLength(1);

      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(events().at(-1)).toMatchObject({ event: 'stopped', drained: true, completed: 1 });
      expect(await inspector.workers(), 'deregistered on a graceful stop').toEqual([]);
    } finally {
      await inspector.close();
    }
    console.log(`deployed worker: start-up (spawn to taking work) ${startUpMs} ms`);
  }, 120_000);
});
