/**
 * Session 05: time from a worker's SIGKILL to its task done elsewhere (defaults), and the throughput cost of leases vs session 04.
 *
 * 1. Recovery time. A worker process (session 05's `runWorkerProcess`, DEFAULT lease 2 s,
 *    heartbeat and recovery every 0.5 s) takes a task and holds it; a second worker (in this
 *    process, defaults too) is running and idle; the first is SIGKILLed at a random moment of
 *    its heartbeat cycle. Measured: from the kill to the task's result being stored by the
 *    second worker. Repeated `--kills` times (default 5); median and max. Target: under 3 s.
 * 2. Throughput. No-op tasks through session 04's RedisTaskQueue + worker (prefetch as
 *    `imgq worker` sets it) and session 05's ReliableTaskQueue + ReliableWorker (leases,
 *    heartbeats, recovery running; prefetch = concurrency too), same concurrency, taking turns
 *    `--runs` times (default 7) of about `--seconds` each (default 3);
 *    median tasks/s, and CPU per task in this process and in redis-server (a busy machine
 *    changes wall time far more than work done). Target: session 05 at most 15 % slower.
 *
 *   pnpm bench recovery [--kills 5] [--runs 7] [--seconds 3] [--concurrency 8]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createRedisWorker, RedisTaskQueue } from '@workbook/session04';
import { ReliableTaskQueue, ReliableWorker, WorkerRegistry } from '@workbook/session05';
// A worker process that holds every task for `delayMs` (session 05's reliability fixture).
import { HOLDING_WORKER } from '@workbook/session05/testing';
import {
  argValue,
  type Cost,
  drainQueue,
  formatTable,
  type Meter,
  median,
  type QueueAndWorker,
  type Run,
  runsRow,
  withBenchRedis,
  writeBenchJson,
} from './kit.ts';

const kills = Number(argValue('--kills') ?? 5);
const runs = Number(argValue('--runs') ?? 7);
const seconds = Number(argValue('--seconds') ?? 3);
const concurrency = Number(argValue('--concurrency') ?? 8);
const RECOVERY_TARGET_MS = 3_000;
const SLOWDOWN_TARGET = 0.15;

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const payload = {
  pipeline: {
    steps: [{ name: 'resize', params: { width: 320 } }],
    output: { format: 'webp' as const },
  },
  input: '/data/in/photo.png',
  output: '/data/out/photo.webp',
};
const noOutput = { path: payload.output, format: 'webp', width: 320, height: 240, bytes: 1 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---- 1. recovery time ----------------------------------------------------------------------

interface KillSample {
  ms: number;
  /** How recovery found out: the lease ran out, or the owner's heartbeat key expired. */
  why: string;
  attempt: number;
}

async function measureKill(url: string, round: number): Promise<KillSample> {
  const name = `bench-kill-${process.pid}-${round}`;
  const victimId = `victim-${round}`;
  const queue = new ReliableTaskQueue({ url, name, owner: `rescuer-${round}` });
  const registry = new WorkerRegistry({ connection: queue.connection, name });
  let child: ChildProcess | null = null;
  const rescuer = new ReliableWorker({ queue, processor: async () => noOutput });
  try {
    // The victim: defaults everywhere, except that it holds each task for two minutes.
    child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        HOLDING_WORKER,
        JSON.stringify({ redisUrl: url, queue: name, workerId: victimId, delayMs: 120_000 }),
      ],
      { stdio: 'ignore' },
    );
    await until('the victim to register', async () =>
      (await registry.list()).some((w) => w.id === victimId && w.alive),
    );
    const task = await queue.enqueue(payload);
    await until('the victim to take the task', async () => {
      const record = await queue.inspect(task.id);
      return record?.state === 'processing' && record.owner === victimId;
    });
    await rescuer.start();
    // Kill at a random point of the victim's 500 ms heartbeat cycle.
    await sleep(500 + Math.random() * 500);
    const killedAt = performance.now();
    child.kill('SIGKILL');
    await until('the rescuer to finish the task', () => queue.result(task.id), 30_000);
    const ms = performance.now() - killedAt;
    const record = await queue.inspect(task.id);
    const why = (await queue.connection.hget(queue.keys.task(task.id), 'recoveredWhy')) ?? '?';
    return { ms, why, attempt: record?.task.attempts ?? 0 };
  } finally {
    child?.kill('SIGKILL');
    await rescuer.stop();
    await queue.close();
  }
}

// ---- 2. throughput ---------------------------------------------------------------------------

/** A queue and a worker of one session, started on a fresh queue with `count` tasks. */
interface Contender {
  label: string;
  process(count: number): Promise<Cost>;
}

let counter = 0;
const nextName = (label: string) => `bench-tp-${label.split(' ')[1]}-${process.pid}-${counter++}`;

function contender(
  label: string,
  meter: Meter,
  make: (name: string) => QueueAndWorker<typeof payload>,
): Contender {
  return {
    label,
    process: (count) => drainQueue(meter, make(nextName(label)), payload, count),
  };
}

async function main(): Promise<void> {
  await withBenchRedis(async (redis, meter) => {
    console.log(`Private redis-server on port ${redis.port}.\n`);
    // 1. Recovery time with the default settings.
    console.log(
      `1. SIGKILL a worker holding a task, ${kills} times (defaults: lease 2 s, heartbeat and recovery 0.5 s)`,
    );
    const samples: KillSample[] = [];
    for (let round = 1; round <= kills; round++) {
      const sample = await measureKill(redis.url, round);
      samples.push(sample);
      console.log(
        `   kill ${round}: task done by the other worker ${(sample.ms / 1000).toFixed(2)} s after the SIGKILL ` +
          `(${sample.why}, attempt ${sample.attempt})`,
      );
    }
    const times = samples.map((s) => s.ms);
    const recovery = {
      medianMs: median(times),
      maxMs: Math.max(...times),
      minMs: Math.min(...times),
    };
    const recoveryOk = recovery.maxMs < RECOVERY_TARGET_MS;
    console.log(
      `   median ${(recovery.medianMs / 1000).toFixed(2)} s, max ${(recovery.maxMs / 1000).toFixed(2)} s, ` +
        `min ${(recovery.minMs / 1000).toFixed(2)} s — target < ${RECOVERY_TARGET_MS / 1000} s: ` +
        `${recoveryOk ? 'met' : 'MISSED'}\n`,
    );

    // 2. Throughput: session 04 vs session 05, same no-op tasks, same concurrency.
    const contenders = [
      contender('session 04 RedisTaskQueue', meter, (name) => {
        const queue = new RedisTaskQueue({ url: redis.url, name, prefetch: concurrency });
        const worker = createRedisWorker({ queue, concurrency, processor: async () => noOutput });
        return { queue, worker };
      }),
      contender('session 05 ReliableTaskQueue', meter, (name) => {
        const queue = new ReliableTaskQueue({ url: redis.url, name, prefetch: concurrency });
        const worker = new ReliableWorker({ queue, concurrency, processor: async () => noOutput });
        return { queue, worker };
      }),
    ];
    const probe = await contenders[0]!.process(300);
    const count = Math.max(1_000, Math.min(50_000, Math.round((300 / probe.ms) * 1000 * seconds)));
    console.log(
      `2. Process ${count} no-op tasks at concurrency ${concurrency}, ${runs} runs each, taking turns`,
    );
    const runSamples: Run[][] = contenders.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (const [i, c] of contenders.entries())
        runSamples[i]!.push({ count, ...(await c.process(count)) });
    }
    const rows = contenders.map((c, i) => runsRow(c.label, runSamples[i]!));
    console.log(formatTable(rows, { baseline: contenders[0]!.label }));
    const cpu = runSamples.map((samples) => ({
      node: median(samples.map((s) => s.nodeUs / s.count)),
      redis: median(samples.map((s) => s.redisUs / s.count)),
    }));
    console.log(
      `CPU per task (this process + redis-server): ${contenders
        .map((c, i) => `${c.label} ${cpu[i]!.node.toFixed(0)} + ${cpu[i]!.redis.toFixed(0)} µs`)
        .join(', ')}`,
    );
    const ratio = rows[1]!.perSecond / rows[0]!.perSecond;
    const slowdown = 1 - ratio;
    const throughputOk = slowdown <= SLOWDOWN_TARGET;
    const change = `${Math.abs(slowdown * 100).toFixed(0)} % ${slowdown >= 0 ? 'slower' : 'faster'}`;
    console.log(
      `Session 05 runs at ${ratio.toFixed(2)}× session 04's rate (${change}) — target at most ` +
        `${SLOWDOWN_TARGET * 100} % slower: ${throughputOk ? 'met' : 'MISSED'}`,
    );

    const file = writeBenchJson('recovery', {
      recovery: { ...recovery, targetMs: RECOVERY_TARGET_MS, met: recoveryOk, samples },
      throughput: {
        concurrency,
        tasks: count,
        runs,
        rows: rows.map((r, i) => ({
          name: r.name,
          tasksPerSecond: r.perSecond,
          cpuUsPerTask: cpu[i],
        })),
        ratio,
        targetSlowdown: SLOWDOWN_TARGET,
        met: throughputOk,
        samples: runSamples,
      },
    });
    console.log(`\nWrote ${file}`);
  });
}

await main();
