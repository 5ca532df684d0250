/**
 * Observability overhead: throughput of a worker with metrics, structured logs and tracing on
 * (session 09: prom-client metrics, the task event log in Redis, a trace context per attempt,
 * info-level JSON logs, /metrics scraped every second) against the same worker with all of it
 * off, in the same run; and the scrape time of the queue exporter with 10,000 tasks queued.
 *
 * Each task is real image work (sharp resizes a 512×384 PNG held in memory to 128 px), so the
 * ratio says what observability costs a worker doing its job. Contenders take turns, `--runs`
 * each (default 3), `--tasks` per run (default 300), concurrency 4; the median rate is reported.
 * Writes .bench/observability.json.
 *
 *   pnpm bench observability [--runs 3] [--tasks 300]
 */
import { Writable } from 'node:stream';
import {
  createWorkerProcess,
  loadWorkerConfig,
  ReliableTaskQueue,
  type WorkerProcessParts,
} from '@workbook/session05';
import {
  createTaskTracer,
  createWorkerMetrics,
  enqueueTraced,
  QueueExporter,
  TaskEventLog,
} from '@workbook/session09';
import sharp from 'sharp';
import {
  argValue,
  formatTable,
  median,
  type Run,
  runsRow,
  withBenchRedis,
  writeBenchJson,
} from './kit.ts';

const runs = Number(argValue('--runs') ?? 3);
const tasksPerRun = Number(argValue('--tasks') ?? 300);
const SCRAPE_TASKS = 10_000;

const image = await sharp({
  create: { width: 512, height: 384, channels: 3, background: { r: 40, g: 120, b: 200 } },
})
  .png()
  .toBuffer();
const processor: NonNullable<WorkerProcessParts['processor']> = async (task) => {
  const out = await sharp(image).resize(128).png().toBuffer();
  return { path: task.output, format: 'png', width: 128, height: 96, bytes: out.length };
};
const newTask = (n: number) => ({
  pipeline: { steps: [] },
  input: `in/${n}.png`,
  output: `out/${n}.png`,
});
/** Logs are written and thrown away: the cost of formatting them is what counts. */
const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });

let counter = 0;
async function run(url: string, observed: boolean): Promise<Run> {
  const name = `bench-obs-${process.pid}-${counter++}`;
  const config = {
    ...loadWorkerConfig({}, {}, false),
    redisUrl: url,
    queue: name,
    workerId: `w-${counter}`,
    concurrency: 4,
    logLevel: observed ? ('info' as const) : ('silent' as const),
    logFormat: 'json' as const,
  };
  const producer = new ReliableTaskQueue({ url, name });
  await producer.connect();
  const log = new TaskEventLog({ connection: producer.connection, queue: name });
  const tracer = createTaskTracer({});
  const proc = createWorkerProcess(config, {
    processor: observed ? tracer.wrap(processor) : processor,
    logDestination: sink,
  });
  let scraper: NodeJS.Timeout | undefined;
  if (observed) {
    tracer.attach(proc);
    const metrics = createWorkerMetrics();
    metrics.instrument(proc);
    scraper = setInterval(() => void metrics.metrics(), 1_000);
    for (let i = 0; i < tasksPerRun; i++) await enqueueTraced(producer, log, newTask(i));
  } else {
    await producer.enqueueMany(Array.from({ length: tasksPerRun }, (_, i) => newTask(i)));
  }
  let done = 0;
  const finished = new Promise<void>((resolve) =>
    proc.worker.on('completed', () => {
      if (++done === tasksPerRun) resolve();
    }),
  );
  const start = performance.now();
  const cpu = process.cpuUsage();
  await proc.start();
  await finished;
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  clearInterval(scraper);
  await proc.stop();
  await producer.close();
  return { ms, count: tasksPerRun, nodeUs: used.user + used.system, redisUs: 0 };
}

await withBenchRedis(async (redis) => {
  const off: Run[] = [];
  const on: Run[] = [];
  // Warm up sharp and the connections once, untimed.
  await run(redis.url, false);
  for (let i = 0; i < runs; i++) {
    off.push(await run(redis.url, false));
    on.push(await run(redis.url, true));
  }
  const rows = [runsRow('all off', off), runsRow('metrics + logs + tracing', on)];
  const ratio = rows[1]!.perSecond / rows[0]!.perSecond;
  console.log(
    formatTable(rows, {
      baseline: 'all off',
      title: `Worker throughput, ${tasksPerRun} image tasks per run, concurrency 4 (goal: on ≥ 0.97× off)`,
    }),
  );
  console.log(
    `\nCPU per task in this process: off ${(median(off.map((r) => r.nodeUs / r.count)) / 1000).toFixed(2)} ms, on ${(median(on.map((r) => r.nodeUs / r.count)) / 1000).toFixed(2)} ms`,
  );

  // Scrape time of the exporter with 10,000 tasks waiting.
  const name = `bench-obs-scrape-${process.pid}`;
  const queue = new ReliableTaskQueue({ url: redis.url, name });
  await queue.connect();
  for (let i = 0; i < SCRAPE_TASKS; i += 1_000) {
    await queue.enqueueMany(Array.from({ length: 1_000 }, (_, j) => newTask(i + j)));
  }
  const exporter = new QueueExporter({ url: redis.url, queues: [name] });
  await exporter.connect();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) await exporter.metrics();
  for (let i = 0; i < 100; i++) {
    const start = performance.now();
    await exporter.metrics();
    times.push(performance.now() - start);
  }
  await exporter.close();
  await queue.close();
  times.sort((a, b) => a - b);
  const scrape = {
    tasks: SCRAPE_TASKS,
    medianMs: median(times),
    p95Ms: times[Math.ceil(times.length * 0.95) - 1]!,
    scrapes: times.length,
  };
  console.log(
    `\nExporter scrape with ${SCRAPE_TASKS} tasks queued: median ${scrape.medianMs.toFixed(2)} ms, p95 ${scrape.p95Ms.toFixed(2)} ms (${scrape.scrapes} scrapes)`,
  );
  const file = writeBenchJson('observability', { rows, ratio, runs: { off, on }, scrape });
  console.log(
    `\n${ratio >= 0.97 ? 'goal met' : 'goal NOT met'}: observed/plain = ${ratio.toFixed(3)}×. Wrote ${file}`,
  );
});
