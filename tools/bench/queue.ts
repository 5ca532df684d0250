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

import { createRedisWorker, RedisTaskQueue } from '@workbook/session04';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import {
  argValue,
  type Cost,
  completions,
  drainQueue,
  formatTable,
  type Measurement,
  type Meter,
  median,
  type Run,
  runsRow,
  withBenchRedis,
  writeBenchJson,
} from './kit.ts';

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
      const worker = createRedisWorker({ queue, concurrency, processor: async () => noOutput });
      return drainQueue(meter, { queue, worker }, payload, count);
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
      const worker = new BullWorker(name, async () => noOutput, {
        connection,
        concurrency,
        autorun: false,
      });
      const finished = completions(worker, count);
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

/** How many tasks make a run of about `seconds`, from a small probe run. */
async function sizeRun(run: (count: number) => Promise<Cost>): Promise<number> {
  const probe = 300;
  const { ms } = await run(probe);
  return Math.max(500, Math.min(50_000, Math.round((probe / ms) * 1000 * seconds)));
}

/** Median CPU cost per task of some runs: this process, redis-server, and both, in µs. */
function cpuPerTask(samples: Run[]) {
  const node = median(samples.map((r) => r.nodeUs / r.count));
  const redis = median(samples.map((r) => r.redisUs / r.count));
  return { node, redis, total: node + redis };
}

/** One table: a row per library, and every run behind it. */
interface Section {
  title: string;
  rows: Measurement[];
  samples: Run[][];
}

async function main(): Promise<void> {
  const sections = await withBenchRedis((redis, meter) => measureSections(redis, meter));
  summarize(sections);
}

/** Runs every row against both libraries on one private redis-server. */
async function measureSections(
  redis: { host: string; port: number; url: string },
  meter: Meter,
): Promise<Section[]> {
  console.log(
    `Private redis-server on port ${redis.port}; ${runs} runs of about ${seconds} s per row ` +
      'and library, median rate shown.\n',
  );
  const backends = [bull(redis.host, redis.port, meter), ours(redis.url, meter)];
  const sections: Section[] = [];
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
      const rows = backends.map((backend, i) => runsRow(backend.label, samples[i]!));
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
  }
  return sections;
}

/** Prints how RedisTaskQueue compares with BullMQ row by row, and writes .bench/queue.json. */
function summarize(sections: Section[]): void {
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
