import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  makeImage,
  type RedisServerHandle,
  testRedis,
  uniqueName,
  waitFor,
} from '@workbook/tools/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conditionFlags,
  formatLaunchSummary,
  launchWorkers,
  RedisTaskQueue,
  type WorkerLine,
} from '../src/index.ts';
import { imgqCommand } from './helpers/run-cli.ts';

let redis: RedisServerHandle;
let dir: string;
beforeAll(async () => {
  redis = await testRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'imgq-launch-'));
});
afterAll(async () => {
  await redis?.[Symbol.asyncDispose]();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function blockedClients(): Promise<number> {
  const client = new Redis(redis.url);
  try {
    return Number(/blocked_clients:(\d+)/.exec(await client.info('clients'))?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

describe('launchWorkers', () => {
  it('runs 3 worker processes on one Redis queue and reports which process did which task', async () => {
    const name = uniqueName('launch');
    const lines: WorkerLine[] = [];
    const workers = launchWorkers({
      count: 3,
      command: imgqCommand('worker', '--json', '--queue', name),
      env: { REDIS_URL: redis.url },
      onLine: (line) => lines.push(line),
    });
    expect(new Set(workers.processes.map((p) => p.pid)).size).toBe(3);
    // Every process blocked in BLMOVE before the tasks arrive: Redis then serves the waiting
    // clients first come, first served, so each process gets work.
    // A process start (node compiling the course's TypeScript) can take a minute on a loaded
    // machine: the bound is for the start, not a claim about speed.
    await waitFor(async () => (await blockedClients()) === 3, {
      timeoutMs: 120_000,
      message: 'the 3 worker processes did not all start',
    });

    const queue = new RedisTaskQueue({ url: redis.url, name });
    const image = path.join(dir, 'in.png');
    writeFileSync(image, await makeImage({ width: 24, height: 24 }));
    const tasks = await queue.enqueueMany(
      Array.from({ length: 9 }, (_, n) => ({
        pipeline: { steps: [{ name: 'grayscale' }] },
        input: image,
        output: path.join(dir, `out-${n}.png`),
      })),
    );
    await waitFor(async () => (await queue.stats()).completed === 9, { timeoutMs: 30_000 });
    await queue.close();

    const summary = await workers.stop('SIGTERM');
    expect(summary.crashed).toBe(0);
    expect(summary.processes.map((p) => p.exitCode)).toEqual([0, 0, 0]);
    expect(summary.completed).toBe(9);
    const done = summary.processes.flatMap((p) => p.completed);
    expect(done.sort()).toEqual(tasks.map((t) => t.id).sort());
    for (const p of summary.processes) {
      expect(p.completed.length, `process #${p.index} should have done some tasks`).toBeGreaterThan(
        0,
      );
      // Each task line came from the process the summary credits it to.
      for (const id of p.completed) {
        const line = lines.find((l) => l.json?.taskId === id);
        expect(line?.pid).toBe(p.pid);
        expect(line?.json?.pid).toBe(p.pid);
      }
    }
    expect(lines.filter((l) => l.json?.event === 'stopped')).toHaveLength(3);
  }, 180_000);

  it('reports a process that crashes, with the end of its stderr', async () => {
    const workers = launchWorkers({
      count: 2,
      command: [process.execPath, '-e', 'console.error("boom: no config"); process.exit(3)'],
      forwardSignals: false,
    });
    const summary = await workers.done;
    expect(summary.crashed).toBe(2);
    expect(summary.processes.map((p) => p.exitCode)).toEqual([3, 3]);
    expect(summary.processes[0]!.stderrTail).toContain('boom: no config');
    const text = formatLaunchSummary(summary);
    expect(text).toContain('exit 3');
    expect(text).toContain('2 processes (2 crashed)');
  });

  it('a program that cannot start fails with ERR_LAUNCH_FAILED, and the launcher lives on', async () => {
    const missing = path.join(tmpdir(), `no-such-program-${process.pid}`);
    expect(() => launchWorkers({ count: 2, command: [missing], forwardSignals: false })).toThrow(
      expect.objectContaining({ code: 'ERR_LAUNCH_FAILED' }),
    );
    // spawn reports ENOENT on the next tick as an 'error' event: unheard, it would be thrown
    // as an uncaught exception here (vitest fails the file on it).
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('forwards SIGINT it receives to every worker process', async () => {
    const script = fileURLToPath(new URL('./fixtures/launch-sleepers.ts', import.meta.url));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const launcher = spawn(process.execPath, ['--import', tsx, script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    launcher.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part));
    });
    // 'close', not 'exit': the last lines (the summary) may still be in the pipe at 'exit'.
    const exited = new Promise<number | null>((resolve) => launcher.on('close', resolve));
    // Three node processes compiling TypeScript: up to two minutes on a loaded machine.
    await waitFor(() => lines.filter((l) => l.ready).length === 2, { timeoutMs: 120_000 });
    launcher.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(lines.filter((l) => l.got === 'SIGINT')).toHaveLength(2);
    const summary = lines.at(-1)?.summary as {
      crashed: number;
      processes: Array<{ exitCode: number }>;
    };
    expect(summary.crashed).toBe(0);
    expect(summary.processes.map((p) => p.exitCode)).toEqual([0, 0]);
  }, 180_000);

  it('checks its options', () => {
    expect(() => launchWorkers({ count: 0, script: 'w.ts' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => launchWorkers({ count: 1, script: 'w.ts', command: ['node'] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => launchWorkers({ count: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
  });
});

describe('conditionFlags', () => {
  it('passes the exercise switch on in every spelling Node accepts', () => {
    expect(conditionFlags(['--conditions', 'solution', '--import', 'tsx'])).toEqual([
      '--conditions',
      'solution',
    ]);
    expect(conditionFlags(['--conditions=solution', '-C', 'wrong', '-C=x'])).toEqual([
      '--conditions=solution',
      '-C',
      'wrong',
      '-C=x',
    ]);
    expect(conditionFlags(['--import', 'tsx', '--inspect'])).toEqual([]);
  });
});
