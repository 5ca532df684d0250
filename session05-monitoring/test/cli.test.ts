/**
 * `imgq` of session 05 on a private redis-server: the new commands in process (runImgq with
 * captured output), and the real binary once, end to end.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReliableTaskQueue, runImgq, WorkerRegistry } from '../src/index.ts';
import { done, failed, newTask } from './helpers.ts';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
});

async function imgq(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runImgq(argv, { REDIS_URL: redis.url }, io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** A queue with 1 pending, 1 delayed, 2 in the DLQ, 1 done, and one live worker. */
async function populated() {
  const name = uniqueName('cli');
  const queue = new ReliableTaskQueue({ url: redis.url, name, backoff: { baseMs: 60_000 } });
  const registry = new WorkerRegistry({
    connection: queue.connection,
    name,
    heartbeatTtlMs: 60_000,
  });
  await queue.enqueueMany([1, 2, 3, 4, 5].map(newTask));
  const tasks = [];
  for (let n = 0; n < 4; n++) tasks.push((await queue.dequeue())!);
  await queue.ack(tasks[0]!, done(tasks[0]!));
  await queue.fail(tasks[1]!, failed(tasks[1]!, 'ERR_FLAKY'));
  await queue.fail(tasks[2]!, failed(tasks[2]!, 'ERR_NOT_AN_IMAGE', 'w1'));
  await queue.fail(tasks[3]!, failed(tasks[3]!, 'ERR_IMAGE_CORRUPT', 'w1'));
  await registry.register({ id: 'w1', concurrency: 2 });
  return { name, queue, dead: [tasks[2]!.id, tasks[3]!.id] };
}

describe('imgq (in process)', () => {
  it('status --json reports pending, processing, delayed, done, DLQ and live workers', async () => {
    const { name, queue } = await populated();
    const status = await imgq('status', '--json', '--queue', name);
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({
      queue: name,
      pending: 1,
      processing: 0,
      delayed: 1,
      done: 1,
      dlq: 2,
      workers: { alive: 1, dead: 0, live: ['w1'] },
    });
    await queue.close();
  });

  it('workers, dlq list, dlq retry, dlq purge, recover and monitor --once', async () => {
    const { name, queue, dead } = await populated();
    const workers = await imgq('workers', '--json', '--queue', name);
    expect(workers.json().workers).toMatchObject([{ id: 'w1', alive: true, concurrency: 2 }]);

    const list = await imgq('dlq', 'list', '--queue', name, '--limit', '1');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('2 dead-lettered task(s)');
    expect(list.stdout).toContain('ERR_NOT_AN_IMAGE');
    expect(list.stdout).toContain('More: imgq dlq list --offset 1 --limit 1');
    const page = (await imgq('dlq', 'list', '--json', '--queue', name)).json();
    expect(page.entries.map((e: { error: { code: string } }) => e.error.code)).toEqual([
      'ERR_NOT_AN_IMAGE',
      'ERR_IMAGE_CORRUPT',
    ]);

    const retry = await imgq('dlq', 'retry', dead[0]!, 'nope', '--queue', name);
    expect(retry.code, 'an id not in the DLQ fails the command').toBe(1);
    expect(retry.stderr).toContain('ERR_DLQ_ENTRY_NOT_FOUND');
    expect((await queue.counts()).dlq).toBe(1);

    const purge = await imgq('dlq', 'purge', '--all', '--json', '--queue', name);
    expect(purge.json()).toEqual({ queue: name, purged: 1 });

    const recover = await imgq('recover', '--json', '--queue', name);
    expect(recover.json()).toMatchObject({ requeued: [], deadLettered: [], promoted: 0 });

    const frame = await imgq('monitor', '--once', '--queue', name);
    expect(frame.code).toBe(0);
    expect(frame.stdout).toMatch(/pending\s+2/);
    expect(frame.stdout).toContain('w1');
    expect(frame.stdout).not.toContain('\x1b[');
    const snapshot = (await imgq('monitor', '--once', '--json', '--queue', name)).json();
    expect(snapshot).toMatchObject({ queue: name, counts: { pending: 2, dlq: 0 } });
    expect(snapshot.workers.map((w: { id: string }) => w.id)).toEqual(['w1']);
    await queue.close();
  });

  it('bad arguments print the reason and the usage and exit 2; --json prints the error', async () => {
    const cases: string[][] = [
      ['dlq'],
      ['dlq', 'retry'],
      ['dlq', 'retry', 'x', '--all'],
      ['dlq', 'purge'],
      ['dlq', 'purge', '--older-than', 'soon'],
      ['worker', '--concurrency', '0'],
      ['monitor', '--limit', '3'],
      ['frobnicate'],
      [],
    ];
    for (const argv of cases) {
      const run = await imgq(...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toMatch(/^imgq: ERR_BAD_ARGUMENT: .+\n\nUsage: imgq/);
    }
    const json = await imgq('dlq', 'purge', '--json');
    expect(json.code).toBe(2);
    expect(json.json().error.code).toBe('ERR_BAD_ARGUMENT');
    expect((await imgq('--help')).stdout).toContain('dlq retry <taskId>');
  });

  it('a Redis that is not there fails with ERR_REDIS_UNAVAILABLE and exit 1', async () => {
    const run = await imgq('status', '--redis-url', 'redis://127.0.0.1:1');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERR_REDIS_UNAVAILABLE');
  }, 15_000);
});

it("the imgq binary runs end to end, and enqueue/result are session 04's commands", () => {
  const bin = fileURLToPath(new URL('../src/cli/imgq.ts', import.meta.url));
  const tsx = fileURLToPath(import.meta.resolve('tsx/cli'));
  const name = uniqueName('bin');
  const env = { ...process.env, REDIS_URL: redis.url };
  // Each run starts node compiling the course's TypeScript: up to two minutes on a loaded
  // machine (over 30 s was seen); the bound is for the start, not a claim about speed.
  const run = (...argv: string[]) =>
    spawnSync(process.execPath, [tsx, bin, ...argv], { env, encoding: 'utf8', timeout: 120_000 });
  const status = run('status', '--json', '--queue', name);
  expect(status.status, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ queue: name, pending: 0, dlq: 0 });
  const result = run('result', 'no-such-task', '--queue', name);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('ERR_TASK_NOT_FOUND');
}, 300_000);
