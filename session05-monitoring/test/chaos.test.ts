/**
 * Chaos: 300 image tasks (hostile inputs mixed in), 3 worker processes, a random busy worker
 * SIGKILLed several times and replaced each time. At the end every task has exactly one
 * result — none lost, none done twice — and the hostile inputs sit in the DLQ with their codes.
 *
 * Short lease/heartbeat/recovery timings come through options (production defaults are in the
 * README); small generated images keep the CPU out of the way.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NewTask } from '@workbook/session03';
import {
  fixture,
  makeImage,
  type RedisServerHandle,
  startRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ReliableTaskQueue, WorkerRegistry } from '../src/index.ts';
import { sleep } from './helpers.ts';
import {
  eventsOf,
  type FixtureWorkerOptions,
  killAll,
  startWorker,
  type TestWorker,
} from './process-helpers.ts';

const GOOD = 297;
const HOSTILE = {
  'truncated.jpg': 'ERR_IMAGE_CORRUPT',
  'text.jpg': 'ERR_NOT_AN_IMAGE',
  'zero.jpg': 'ERR_EMPTY_INPUT',
};
const KILLS = 4;

let redis: RedisServerHandle;
let root: string;
const workers: TestWorker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  root = mkdtempSync(path.join(tmpdir(), 'session05-chaos-'));
  mkdirSync(path.join(root, 'in'));
  mkdirSync(path.join(root, 'out'));
  for (let n = 0; n < GOOD; n++) {
    const png = await makeImage({ width: 24, height: 24, fill: 'noise', seed: n + 1 });
    writeFileSync(path.join(root, 'in', `img-${n}.png`), png);
  }
  copyFileSync(fixture('hostile/truncated.jpg'), path.join(root, 'in', 'truncated.jpg'));
  writeFileSync(path.join(root, 'in', 'text.jpg'), 'this is text, not a JPEG\n');
  writeFileSync(path.join(root, 'in', 'zero.jpg'), '');
});

afterAll(async () => {
  await killAll(workers);
  await redis?.[Symbol.asyncDispose]();
  if (root) rmSync(root, { recursive: true, force: true });
});

it('300 tasks, 3 workers, 4 SIGKILLs: every task done exactly once or dead-lettered with its code', async () => {
  const name = uniqueName('chaos');
  const queue = new ReliableTaskQueue({ url: redis.url, name });
  const registry = new WorkerRegistry({ connection: queue.connection, name });
  const inputs = [
    ...Array.from({ length: GOOD }, (_, n) => `img-${n}.png`),
    ...Object.keys(HOSTILE),
  ];
  // Hostile inputs spread through the batch, not all at the end.
  inputs.splice(50, 0, inputs.pop()!);
  inputs.splice(150, 0, inputs.pop()!);
  const tasks: NewTask[] = inputs.map((input) => ({
    pipeline: { steps: [{ name: 'resize', params: { width: 12 } }], output: { format: 'png' } },
    input,
    output: `${input}.out.png`,
  }));
  const stored = await queue.enqueueMany(tasks);

  const options: FixtureWorkerOptions = {
    redisUrl: redis.url,
    queue: name,
    concurrency: 2,
    leaseMs: 1_000,
    heartbeatIntervalMs: 200,
    heartbeatTtlMs: 1_000,
    recoveryIntervalMs: 250,
    backoff: { baseMs: 50 },
    delayMs: 40,
    inputRoot: path.join(root, 'in'),
    outputRoot: path.join(root, 'out'),
  };
  for (let n = 0; n < 3; n++) workers.push(startWorker(options));

  // Kill a random worker that is holding a task, and start a replacement, KILLS times.
  // Starting processes that compile TypeScript can take tens of seconds on a loaded machine:
  // the start has its own bound, so the waits below measure only the run.
  for (const worker of workers) {
    await waitFor(() => worker.events.some((e) => e.event === 'started'), {
      timeoutMs: 120_000,
      intervalMs: 100,
      message: `worker ${worker.pid} started`,
    });
  }
  await waitFor(async () => (await queue.counts()).completed >= 20, { timeoutMs: 30_000 });
  const killed: Array<{ pid: number; holding: number }> = [];
  while (killed.length < KILLS) {
    const busy = (await registry.list()).filter((w) => w.alive && w.current.length > 0);
    const victim = busy[Math.floor(Math.random() * busy.length)];
    const process = victim && workers.find((w) => w.pid === victim.pid && !w.gone);
    if (!victim || !process) {
      await sleep(50);
      continue;
    }
    process.kill('SIGKILL');
    // What it held at the kill, as Redis says (running and prefetched): its leases.
    const holding = (await queue.leases()).filter((lease) => lease.owner === victim.id).length;
    killed.push({ pid: victim.pid, holding });
    workers.push(startWorker(options));
    await sleep(600);
  }

  const final = await waitFor(
    async () => {
      const c = await queue.counts();
      return c.pending + c.delayed + c.processing === 0 && c.completed + c.dlq === stored.length
        ? c
        : null;
    },
    { timeoutMs: 45_000, intervalMs: 100, message: 'every task accounted for' },
  );
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));

  // Every task: exactly one final result.
  const results = await Promise.all(stored.map((task) => queue.result(task.id)));
  const done = results.filter((r) => r?.status === 'completed');
  const lost = stored.filter((_, i) => results[i] === null).map((t) => t.input);
  expect(lost, '🚨 no task may be lost').toEqual([]);
  expect(done).toHaveLength(GOOD);
  // The counter is bumped by the ack script only when the lease matched: one per task.
  expect(final.completed, '🚨 no task may be acked twice').toBe(GOOD);
  const acked = eventsOf(workers, 'task')
    .filter((e) => e.status === 'completed')
    .map((e) => e.taskId);
  expect(new Set(acked).size, '🚨 no task may be reported completed twice').toBe(acked.length);
  const missing = stored
    .filter((t) => t.input.startsWith('img-'))
    .filter((t) => !existsSync(path.join(root, 'out', t.output)));
  expect(
    missing.map((t) => t.output),
    'every done task wrote its image',
  ).toEqual([]);

  // The hostile inputs: in the DLQ at once (attempt 1), with their codes.
  const dlq = await queue.dlqList({ limit: 100 });
  const codes = Object.fromEntries(dlq.entries.map((e) => [e.task.input, e.error.code]));
  expect(codes).toEqual(HOSTILE);
  // Dead-lettered for their own error, never retried. (An attempt can still be lost to a kill
  // first — a prefetched task of a killed worker — so attempts may be 2.)
  expect(dlq.entries.map((e) => e.reason)).toEqual([
    'non-retryable',
    'non-retryable',
    'non-retryable',
  ]);
  expect(final.retried, 'no task was retried with backoff: the good ones never failed').toBe(0);
  expect(final.recovered, 'the killed workers held tasks that recovery took back').toBeGreaterThan(
    0,
  );
  expect(killed).toHaveLength(KILLS);

  const summary = {
    tasks: stored.length,
    done: done.length,
    dlq: dlq.total,
    lost: lost.length,
    duplicates: acked.length - new Set(acked).size,
    kills: killed.length,
    heldByKilled: killed.reduce((n, k) => n + k.holding, 0),
    recovered: final.recovered,
    retried: final.retried,
    processes: workers.length,
  };
  console.log(`chaos: ${JSON.stringify(summary)}`);
  await queue.close();
}, 240_000);
