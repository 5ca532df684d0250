import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readImageInfo } from '@workbook/session01';
import { makeImage, type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImgq as runInProcess } from '../src/cli/imgq.ts';
import { runImgq } from './helpers/run-cli.ts';

let redis: RedisServerHandle;
let dir: string;
let spec: string;

beforeAll(async () => {
  redis = await testRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'imgq-cli-'));
  spec = path.join(dir, 'thumb.json');
  writeFileSync(
    spec,
    JSON.stringify({
      steps: [{ name: 'resize', params: { width: 16 } }, { name: 'grayscale' }],
      output: { format: 'webp' },
    }),
  );
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs imgq in this process (fast): for the checks that need no separate process. */
async function run(argv: string[], env: NodeJS.ProcessEnv = { REDIS_URL: redis.url }) {
  let stdout = '';
  let stderr = '';
  const code = await runInProcess(argv, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

async function photoFolder(count: number): Promise<string> {
  const folder = mkdtempSync(path.join(dir, 'photos-'));
  for (let n = 0; n < count; n++) {
    writeFileSync(
      path.join(folder, `photo-${n}.png`),
      await makeImage({ width: 32, height: 24, seed: n }),
    );
  }
  return folder;
}

describe('imgq against a private Redis', () => {
  it('enqueue -> status -> worker -> status -> result, all as JSON', async () => {
    const env = { REDIS_URL: redis.url };
    const queue = ['--queue', uniqueName('cli')];
    const photos = await photoFolder(3);
    writeFileSync(path.join(photos, 'notes.txt'), 'not an image');
    const out = path.join(dir, 'out-e2e');

    const enqueued = await runImgq(
      ['enqueue', photos, '--pipeline', spec, '--out', out, '--json', ...queue],
      env,
    );
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const report = enqueued.lines[0] as {
      enqueued: Array<{ id: string; input: string; output: string }>;
      skipped: Array<{ file: string; reason: string }>;
    };
    expect(report.enqueued).toHaveLength(3);
    expect(report.enqueued.map((t) => path.basename(t.output)).sort()).toEqual([
      'photo-0.webp',
      'photo-1.webp',
      'photo-2.webp',
    ]);
    expect(report.skipped).toEqual([
      { file: path.join(photos, 'notes.txt'), reason: expect.stringContaining('ERR_NOT_AN_IMAGE') },
    ]);

    // (In process from here where a separate process adds nothing but seconds.)
    const before = await run(['status', '--json', ...queue], env);
    expect(JSON.parse(before.stdout)).toMatchObject({
      pending: 3,
      processing: 0,
      completed: 0,
      failed: 0,
    });
    const first = report.enqueued[0]!.id;
    const pendingResult = await run(['result', first, '--json', ...queue], env);
    expect(pendingResult.code, 'exit 3 = not ready yet').toBe(3);
    expect(JSON.parse(pendingResult.stdout)).toMatchObject({ taskId: first, state: 'pending' });

    // One input disappears before the worker gets to it: that task must fail, not vanish.
    rmSync(report.enqueued[2]!.input);
    const worker = await runImgq(
      ['worker', '--concurrency', '2', '--until-empty', '--json', ...queue],
      env,
    );
    expect(worker.code, worker.stderr).toBe(0);
    const events = worker.lines.map((line) => line.event);
    expect(events[0]).toBe('started');
    expect(events.at(-1)).toBe('stopped');
    const tasks = worker.lines.filter((line) => line.event === 'task');
    expect(tasks.map((t) => t.status).sort()).toEqual(['completed', 'completed', 'failed']);
    expect(tasks.find((t) => t.status === 'failed')).toMatchObject({
      taskId: report.enqueued[2]!.id,
      error: { code: 'ERR_FILE_NOT_FOUND' },
    });

    const after = await run(['status', '--json', ...queue], env);
    expect(JSON.parse(after.stdout)).toMatchObject({
      pending: 0,
      processing: 0,
      completed: 2,
      failed: 1,
    });
    const done = await runImgq(['result', first, '--json', ...queue], env);
    expect(done.code).toBe(0);
    expect(done.lines[0]).toMatchObject({ taskId: first, status: 'completed' });
    const outputPath = report.enqueued[0]!.output;
    expect(existsSync(outputPath), `${outputPath} should be written`).toBe(true);
    const meta = await readImageInfo(outputPath);
    expect([meta.format, meta.width]).toEqual(['webp', 16]);
    const failed = await run(['result', report.enqueued[2]!.id, '--json', ...queue], env);
    expect(failed.code, 'a failed task exits 1').toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      status: 'failed',
      error: { code: 'ERR_FILE_NOT_FOUND' },
    });
  }, 120_000);

  it('refuses a named non-image file with the reason, and queues nothing', async () => {
    const queue = ['--queue', uniqueName('cli')];
    const text = path.join(dir, 'readme.png');
    writeFileSync(text, 'this is text with an image name');
    const refused = await run([
      'enqueue',
      text,
      '--pipeline',
      spec,
      '--out',
      path.join(dir, 'o'),
      ...queue,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERR_NOT_AN_IMAGE');
    expect(refused.stderr).toContain('readme.png');
    const status = await run(['status', '--json', ...queue]);
    expect(JSON.parse(status.stdout)).toMatchObject({ pending: 0 });
  });
});

describe('imgq arguments (in process)', () => {
  it('prints usage with the reason and exits 2 on bad arguments', async () => {
    for (const argv of [
      [],
      ['frobnicate'],
      ['status', '--nope'],
      ['worker', '--concurrency', '0'],
      ['enqueue', 'x.png', '--out', 'o'],
      ['result'],
      ['status', '--pipeline', 'x.json'],
    ]) {
      const { code, stderr } = await run(argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr, argv.join(' ')).toContain('ERR_BAD_ARGUMENT');
      expect(stderr, argv.join(' ')).toContain('Usage: imgq');
    }
  });

  it('--help prints usage and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('enqueue <file|folder>');
  });

  it('validates the pipeline spec before queueing (session 02 parsePipelineSpec)', async () => {
    const photos = await photoFolder(1);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ steps: [{ name: 'sparkle' }] }));
    const queue = uniqueName('cli');
    const { code, stdout } = await run([
      'enqueue',
      photos,
      '--pipeline',
      bad,
      '--out',
      path.join(dir, 'o'),
      '--queue',
      queue,
      '--json',
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).error.code).toBe('ERR_UNKNOWN_FILTER');
    const status = await run(['status', '--queue', queue, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ pending: 0 });
  });

  it('a malformed REDIS_URL is a usage error; an unreachable Redis is ERR_REDIS_UNAVAILABLE', async () => {
    const malformed = await run(['status'], { REDIS_URL: 'localhost:6379' });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('ERR_INVALID_REDIS_URL');
    const down = await run(['status', '--json', '--redis-url', 'redis://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).error).toMatchObject({
      code: 'ERR_REDIS_UNAVAILABLE',
      message: expect.stringContaining('REDIS_URL'),
    });
  });
});
