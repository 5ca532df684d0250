/**
 * Redis queues: enqueue and processing throughput of session 04's RedisTaskQueue vs BullMQ.
 *
 * Both run on one private redis-server started here, in the same run, with the same no-op task
 * payload (a pipeline spec and two paths): the numbers measure the queue, not image work.
 * Rows: enqueue one by one, enqueue in batches of 100, and processing (dequeue + ack / BullMQ's
 * worker) at concurrency 1, 10 and 50 with each library's own worker. A short probe sizes each
 * run to about `--seconds` (default 1); each row is run `--runs` times (default 3), the two
 * libraries taking turns so that a busy machine slows both alike, and the median rate is
 * reported. Writes .bench/queue.json with every run.
 *
 *   pnpm bench queue [--seconds 1] [--runs 3]
 */
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
// tools does not depend on the session packages; the bench imports session 04's public entry
// by path (the sessions themselves never do this).
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
  enqueueOne(count: number): Promise<void>;
  /** Enqueues `count` tasks in batches of {@link BATCH}. */
  enqueueBatched(count: number): Promise<void>;
  /** Fills a fresh queue with `count` tasks, then times a worker emptying it. */
  process(count: number, concurrency: number): Promise<number>;
  close(): Promise<void>;
}

function ours(url: string): Backend {
  const producer = new RedisTaskQueue({ url, name: nextName('ours') });
  return {
    label: 'RedisTaskQueue',
    async enqueueOne(count) {
      for (let i = 0; i < count; i++) await producer.enqueue(payload);
    },
    async enqueueBatched(count) {
      for (let i = 0; i < count; i += BATCH) {
        await producer.enqueueMany(
          Array.from({ length: Math.min(BATCH, count - i) }, () => payload),
        );
      }
    },
    async process(count, concurrency) {
      // As `imgq worker` does: prefetch as many tasks as the worker runs at once.
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
      const start = performance.now();
      await worker.start();
      await finished;
      const elapsed = performance.now() - start;
      await worker.stop();
      await queue.close();
      return elapsed;
    },
    close: () => producer.close(),
  };
}

function bull(host: string, port: number): Backend {
  const connection = { host, port };
  const producer = new BullQueue(nextName('bull'), { connection });
  return {
    label: 'BullMQ 6.7.0',
    async enqueueOne(count) {
      for (let i = 0; i < count; i++) await producer.add('image', payload);
    },
    async enqueueBatched(count) {
      for (let i = 0; i < count; i += BATCH) {
        const size = Math.min(BATCH, count - i);
        await producer.addBulk(
          Array.from({ length: size }, () => ({ name: 'image', data: payload })),
        );
      }
    },
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
      const start = performance.now();
      void worker.run();
      await finished;
      const elapsed = performance.now() - start;
      await worker.close();
      await queue.close();
      return elapsed;
    },
    close: () => producer.close(),
  };
}

/** One timed run: how many tasks, how long. */
interface Run {
  count: number;
  ms: number;
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
async function sizeRun(run: (count: number) => Promise<number>): Promise<number> {
  const probe = 300;
  const probeMs = await run(probe);
  return Math.max(500, Math.min(50_000, Math.round((probe / probeMs) * 1000 * seconds)));
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  console.log(
    `Private redis-server on port ${redis.port}; ${runs} runs of about ${seconds} s per row ` +
      'and library, median rate shown.\n',
  );
  const backends = [bull(redis.host, redis.port), ours(redis.url)];
  const sections: Array<{ title: string; rows: Measurement[]; samples: Run[][] }> = [];
  try {
    const measureAll = async (
      title: string,
      run: (b: Backend, count: number) => Promise<number>,
    ) => {
      const counts: number[] = [];
      for (const backend of backends) counts.push(await sizeRun((n) => run(backend, n)));
      const samples: Run[][] = backends.map(() => []);
      for (let r = 0; r < runs; r++) {
        for (const [i, backend] of backends.entries()) {
          samples[i]!.push({ count: counts[i]!, ms: await run(backend, counts[i]!) });
        }
      }
      const rows = backends.map((backend, i) => row(backend.label, samples[i]!));
      sections.push({ title, rows, samples });
      console.log(formatTable(rows, { title, baseline: 'BullMQ 6.7.0' }));
      console.log();
    };
    await measureAll('Enqueue, one await per task', (b, n) => time(() => b.enqueueOne(n)));
    await measureAll(`Enqueue, batches of ${BATCH}`, (b, n) => time(() => b.enqueueBatched(n)));
    for (const concurrency of CONCURRENCIES) {
      await measureAll(`Process no-op tasks, concurrency ${concurrency}`, (b, n) =>
        b.process(n, concurrency),
      );
    }
  } finally {
    for (const backend of backends) await backend.close();
    await redis[Symbol.asyncDispose]();
  }

  console.log('Summary (RedisTaskQueue vs BullMQ, tasks/s):');
  const summary = sections.map(({ title, rows }) => {
    const [bullRow, ourRow] = rows as [Measurement, Measurement];
    const ratio = ourRow.perSecond / bullRow.perSecond;
    console.log(
      `  ${title.padEnd(42)} ${ourRow.perSecond.toFixed(0).padStart(7)} vs ` +
        `${bullRow.perSecond.toFixed(0).padStart(7)}  ${ratio.toFixed(2)}×`,
    );
    return {
      title,
      ours: ourRow.perSecond,
      bullmq: bullRow.perSecond,
      ratio,
      oursTasks: ourRow.unitsPerIteration,
      bullmqTasks: bullRow.unitsPerIteration,
    };
  });
  const file = writeBenchJson('queue', { seconds, runs, batch: BATCH, summary, sections });
  console.log(`\nWrote ${file}`);
}

await main();
