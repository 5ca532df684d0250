/**
 * Redis queues: enqueue and processing throughput of session 04's RedisTaskQueue vs BullMQ.
 *
 * Both run on one private redis-server started here, in the same run, with the same no-op task
 * payload (a pipeline spec and two paths): the numbers measure the queue, not image work.
 * Rows: enqueue one by one, enqueue in batches of 100, and processing (dequeue + ack / BullMQ's
 * worker) at concurrency 1, 10 and 50 with each library's own worker. A short probe sizes each
 * run to about `--seconds` (default 1); each row is run `--runs` times (default 3), the two
 * libraries taking turns so that a busy machine slows both alike, and the median rate is
 * reported. Because tasks/s swing with whatever else the machine runs, each run also records
 * the CPU time it cost, per task, in this process (the library's client side) and in
 * redis-server (from INFO cpu): work done, which a busy machine does not change much.
 * Writes .bench/queue.json with every run.
 *
 *   pnpm bench queue [--seconds 1] [--runs 3]
 */
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
// tools does not depend on the session packages; the bench imports session 04's public entry
// by path (the sessions themselves never do this).
import { Redis } from 'ioredis';
import { createRedisWorker, RedisTaskQueue } from '../../session04-redis/src/index.ts';
import { startRedis } from '../src/testkit/index.ts';
import { formatTable, type Measurement, writeBenchJson } from './kit.ts';

const seconds = Number(argValue('--seconds') ?? 1);
const runs = Number(argValue('--runs') ?? 3);
const BATCH = 100;
const CONCURRENCIES = [1, 10, 50] as const;

const payload = {
  pipeline: {
    steps: [{ name: 'resize', params: { width: 320 } }, { name: 'grayscale' }],
    output: { format: 'webp' as const, quality: 80 },
  },
  input: '/data/in/photo.png',
  output: '/data/out/photo.webp',
};
const noOutput = { path: payload.output, format: 'webp', width: 320, height: 240, bytes: 1 };

function argValue(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index === -1 ? undefined : process.argv[index + 1];
}

let queueCounter = 0;
const nextName = (lib: string) => `bench-${lib}-${process.pid}-${queueCounter++}`;

/** One backend's operations, so both libraries go through the same measuring code. */
interface Backend {
  label: string;
  /** Enqueues `count` tasks one `await` at a time. */
  enqueueOne(count: number): Promise<Cost>;
  /** Enqueues `count` tasks in batches of {@link BATCH}. */
  enqueueBatched(count: number): Promise<Cost>;
  /** Fills a fresh queue with `count` tasks, then measures a worker emptying it. */
  process(count: number, concurrency: number): Promise<Cost>;
  close(): Promise<void>;
}

/** What one measured piece of work cost. */
interface Cost {
  ms: number;
  /** CPU time of this process (user + system), microseconds. */
  nodeUs: number;
  /** CPU time of redis-server (user + system), microseconds. */
  redisUs: number;
}

/** Measures wall time and the CPU time of this process and of redis-server around `fn`. */
class Meter {
  readonly #admin: Redis;
  constructor(url: string) {
    this.#admin = new Redis(url);
  }

  async #redisCpuUs(): Promise<number> {
    const info = await this.#admin.info('cpu');
    const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (value('used_cpu_user') + value('used_cpu_sys')) * 1e6;
  }

  async measure(fn: () => Promise<unknown>): Promise<Cost> {
    const redisBefore = await this.#redisCpuUs();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await fn();
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const redisUs = (await this.#redisCpuUs()) - redisBefore;
    return { ms, nodeUs: cpu.user + cpu.system, redisUs };
  }

  close(): void {
    this.#admin.disconnect();
  }
}

function ours(url: string, meter: Meter): Backend {
  const producer = new RedisTaskQueue({ url, name: nextName('ours') });
  return {
    label: 'RedisTaskQueue',
    enqueueOne: (count) =>
      meter.measure(async () => {
        for (let i = 0; i < count; i++) await producer.enqueue(payload);
      }),
    enqueueBatched: (count) =>
      meter.measure(async () => {
        for (let i = 0; i < count; i += BATCH) {
          await producer.enqueueMany(
            Array.from({ length: Math.min(BATCH, count - i) }, () => payload),
          );
        }
      }),
    async process(count, concurrency) {
      // As `imgq worker` does: keep as many tasks ready as the worker runs at once.
      const queue = new RedisTaskQueue({ url, name: nextName('ours'), prefetch: concurrency });
      for (let i = 0; i < count; i += 1000) {
        await queue.enqueueMany(Array.from({ length: Math.min(1000, count - i) }, () => payload));
      }
      let done = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const worker = createRedisWorker({
        queue,
        concurrency,
        processor: async () => noOutput,
      });
      worker.on('completed', () => {
        if (++done === count) finish();
      });
      const cost = await meter.measure(async () => {
        await worker.start();
        await finished;
      });
      await worker.stop();
      await queue.close();
      return cost;
    },
    close: () => producer.close(),
  };
}

function bull(host: string, port: number, meter: Meter): Backend {
  const connection = { host, port };
  const producer = new BullQueue(nextName('bull'), { connection });
  return {
    label: 'BullMQ 6.7.0',
    enqueueOne: (count) =>
      meter.measure(async () => {
        for (let i = 0; i < count; i++) await producer.add('image', payload);
      }),
    enqueueBatched: (count) =>
      meter.measure(async () => {
        for (let i = 0; i < count; i += BATCH) {
          const size = Math.min(BATCH, count - i);
          await producer.addBulk(
            Array.from({ length: size }, () => ({ name: 'image', data: payload })),
          );
        }
      }),
    async process(count, concurrency) {
      const name = nextName('bull');
      const queue = new BullQueue(name, { connection });
      for (let i = 0; i < count; i += 1000) {
        const size = Math.min(1000, count - i);
        await queue.addBulk(Array.from({ length: size }, () => ({ name: 'image', data: payload })));
      }
      let done = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const worker = new BullWorker(name, async () => noOutput, {
        connection,
        concurrency,
        autorun: false,
      });
      worker.on('completed', () => {
        if (++done === count) finish();
      });
      await worker.waitUntilReady();
      const cost = await meter.measure(async () => {
        void worker.run();
        await finished;
      });
      await worker.close();
      await queue.close();
      return cost;
    },
    close: () => producer.close(),
  };
}

/** One measured run: how many tasks, and what they cost. */
interface Run extends Cost {
  count: number;
}

/** A table row from several runs of one backend: the median rate, and the run times. */
function row(name: string, samples: Run[]): Measurement {
  const rates = samples.map((r) => (r.count * 1000) / r.ms).sort((a, b) => a - b);
  const times = samples.map((r) => r.ms).sort((a, b) => a - b);
  const totalMs = times.reduce((a, b) => a + b, 0);
  return {
    name,
    iterations: samples.length,
    unit: 'tasks',
    unitsPerIteration: samples[0]!.count,
    totalMs,
    meanMs: totalMs / samples.length,
    medianMs: times[Math.floor(times.length / 2)]!,
    p95Ms: times.at(-1)!,
    minMs: times[0]!,
    maxMs: times.at(-1)!,
    perSecond: rates[Math.floor(rates.length / 2)]!,
    peakRssBytes: process.memoryUsage().rss,
  };
}

/** How many tasks make a run of about `seconds`, from a small probe run. */
async function sizeRun(run: (count: number) => Promise<Cost>): Promise<number> {
  const probe = 300;
  const { ms } = await run(probe);
  return Math.max(500, Math.min(50_000, Math.round((probe / ms) * 1000 * seconds)));
}

/** The median of some numbers. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median CPU cost per task of some runs: this process, redis-server, and both, in µs. */
function cpuPerTask(samples: Run[]) {
  const node = median(samples.map((r) => r.nodeUs / r.count));
  const redis = median(samples.map((r) => r.redisUs / r.count));
  return { node, redis, total: node + redis };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  console.log(
    `Private redis-server on port ${redis.port}; ${runs} runs of about ${seconds} s per row ` +
      'and library, median rate shown.\n',
  );
  const meter = new Meter(redis.url);
  const backends = [bull(redis.host, redis.port, meter), ours(redis.url, meter)];
  const sections: Array<{ title: string; rows: Measurement[]; samples: Run[][] }> = [];
  try {
    const measureAll = async (title: string, run: (b: Backend, count: number) => Promise<Cost>) => {
      const counts: number[] = [];
      for (const backend of backends) counts.push(await sizeRun((n) => run(backend, n)));
      const samples: Run[][] = backends.map(() => []);
      for (let r = 0; r < runs; r++) {
        for (const [i, backend] of backends.entries()) {
          samples[i]!.push({ count: counts[i]!, ...(await run(backend, counts[i]!)) });
        }
      }
      const rows = backends.map((backend, i) => row(backend.label, samples[i]!));
      sections.push({ title, rows, samples });
      console.log(formatTable(rows, { title, baseline: 'BullMQ 6.7.0' }));
      const cpu = samples.map(cpuPerTask);
      console.log(
        `CPU per task (this process + redis-server): ${backends
          .map((b, i) => `${b.label} ${cpu[i]!.node.toFixed(0)} + ${cpu[i]!.redis.toFixed(0)} µs`)
          .join(', ')}`,
      );
      console.log();
    };
    await measureAll('Enqueue, one await per task', (b, n) => b.enqueueOne(n));
    await measureAll(`Enqueue, batches of ${BATCH}`, (b, n) => b.enqueueBatched(n));
    for (const concurrency of CONCURRENCIES) {
      await measureAll(`Process no-op tasks, concurrency ${concurrency}`, (b, n) =>
        b.process(n, concurrency),
      );
    }
  } finally {
    for (const backend of backends) await backend.close();
    meter.close();
    await redis[Symbol.asyncDispose]();
  }

  console.log(
    'Summary, RedisTaskQueue vs BullMQ: tasks/s (higher is better) and CPU µs per task, this ' +
      'process + redis-server (lower is better); ratios > 1 favour RedisTaskQueue.',
  );
  const summary = sections.map(({ title, rows, samples }) => {
    const [bullRow, ourRow] = rows as [Measurement, Measurement];
    const [bullCpu, ourCpu] = samples.map(cpuPerTask) as [
      ReturnType<typeof cpuPerTask>,
      ReturnType<typeof cpuPerTask>,
    ];
    const ratio = ourRow.perSecond / bullRow.perSecond;
    const cpuRatio = bullCpu.total / ourCpu.total;
    console.log(
      `  ${title.padEnd(42)} ${ourRow.perSecond.toFixed(0).padStart(6)} vs ` +
        `${bullRow.perSecond.toFixed(0).padStart(6)} tasks/s ${ratio.toFixed(2)}×   ` +
        `${ourCpu.total.toFixed(0).padStart(4)} vs ${bullCpu.total.toFixed(0).padStart(4)} µs ` +
        `${cpuRatio.toFixed(2)}×`,
    );
    return {
      title,
      ours: ourRow.perSecond,
      bullmq: bullRow.perSecond,
      ratio,
      oursCpuUsPerTask: ourCpu,
      bullmqCpuUsPerTask: bullCpu,
      cpuRatio,
      oursTasks: ourRow.unitsPerIteration,
      bullmqTasks: bullRow.unitsPerIteration,
    };
  });
  const file = writeBenchJson('queue', { seconds, runs, batch: BATCH, summary, sections });
  console.log(`\nWrote ${file}`);
}

await main();
