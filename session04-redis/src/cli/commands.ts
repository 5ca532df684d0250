import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readImageInfo, serializeError, WorkbookError } from '@workbook/session01';
import { FilterFactory, type PipelineSpec, parsePipelineSpec } from '@workbook/session02';
import { createLogger, type NewTask, type Task, type TaskResult } from '@workbook/session03';
import { RedisErrorCodes, redactUrl, TaskNotFoundError } from '../errors.ts';
import { RedisTaskQueue } from '../redis-task-queue.ts';
import { createRedisWorker } from '../redis-worker.ts';
import type { CliConfig } from './args.ts';

/** Where a command writes: stdout for results, stderr for people (progress, errors). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

type Config<C extends CliConfig['command']> = Extract<CliConfig, { command: C }>;

/** Exit code of a command that ran but whose result is not there yet (`imgq result`). */
export const EXIT_NOT_READY = 3;

/**
 * What `enqueue` and `result` need of a queue. Session 04 gives them its {@link RedisTaskQueue};
 * a later session's `imgq` gives them its own queue (`enqueueCommand(config, io, open)`).
 */
export interface CliQueue {
  enqueueMany(tasks: readonly NewTask[]): Promise<Task[]>;
  result(taskId: string): Promise<TaskResult | null>;
  /** The stored task with its state, or `null` when unknown. */
  task(taskId: string): Promise<{ task: Task; state: string } | null>;
  close(): Promise<void>;
}

/** Opens the queue a command works on (connected, or rejecting with the reason). */
export type QueueOpener = (config: { redisUrl: string; queue: string }) => Promise<CliQueue>;

/**
 * Connects a queue a command just opened, failing fast (3 s) when Redis is not there; a queue
 * that cannot connect is closed before the error goes on, so nothing keeps the process alive.
 */
export async function connectOrClose<
  Q extends { connect(timeoutMs: number): Promise<void>; close(): Promise<void> },
>(queue: Q): Promise<Q> {
  try {
    await queue.connect(3_000);
  } catch (error) {
    await queue.close();
    throw error;
  }
  return queue;
}

/** Opens the queue of a command and fails fast (in 3 s) when Redis is not there. */
function openQueue(config: { redisUrl: string; queue: string }, prefetch = 0) {
  return connectOrClose(new RedisTaskQueue({ url: config.redisUrl, name: config.queue, prefetch }));
}

/** A file the user named that is not an image, or could not be read. */
interface Refused {
  file: string;
  code: string;
  reason: string;
}

/**
 * `imgq enqueue`: validates the pipeline spec (session 02's `parsePipelineSpec`) and every
 * image before anything is queued, then queues one task per image in one round trip.
 * Named files that are not images are refused (nothing is queued); in a folder, non-images are
 * skipped and listed.
 */
export async function enqueueCommand(
  config: Config<'enqueue'>,
  io: CliIo,
  open: QueueOpener = openQueue,
): Promise<number> {
  const spec = await readSpec(config.pipelinePath);
  const { images, skipped, refused } = await collectImages(config.inputs);
  if (refused.length > 0) {
    const list = refused.map((r) => `  ${r.file}: ${r.reason}`).join('\n');
    throw new WorkbookError(
      refused[0]!.code,
      `Refusing to enqueue: ${refused.length} named file(s) cannot be processed:\n${list}\n` +
        'Name only image files (jpeg, png, webp, gif, tiff, heif), or folders of them.',
    );
  }
  if (images.length === 0) {
    throw new WorkbookError(
      RedisErrorCodes.BAD_ARGUMENT,
      `No images found in ${config.inputs.join(', ')}` +
        (skipped.length > 0 ? ` (${skipped.length} non-image file(s) skipped)` : '') +
        '. Name image files or folders that contain some.',
    );
  }
  await mkdir(config.outDir, { recursive: true });
  const tasks: NewTask[] = outputNames(images, spec, config.outDir).map(([input, output]) => ({
    pipeline: spec,
    input,
    output,
  }));

  const queue = await open(config);
  try {
    const queued = await queue.enqueueMany(tasks);
    const report = {
      queue: config.queue,
      enqueued: queued.map((t) => ({ id: t.id, input: t.input, output: t.output })),
      skipped,
    };
    if (config.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      for (const t of report.enqueued) {
        io.stdout.write(`${t.id}  ${path.basename(t.input)} -> ${t.output}\n`);
      }
      for (const s of skipped) io.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
      io.stdout.write(`Enqueued ${queued.length} task(s) on queue \`${config.queue}\`.\n`);
    }
    return 0;
  } finally {
    await queue.close();
  }
}

async function readSpec(file: string): Promise<PipelineSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WorkbookError(
      RedisErrorCodes.BAD_ARGUMENT,
      `Cannot read the pipeline spec \`${file}\`: ${(error as Error).message}. ` +
        'Pass --pipeline <file.json> with e.g. {"steps":[{"name":"grayscale"}],"output":{"format":"webp"}}.',
    );
  }
  // parsePipelineSpec parses the JSON itself and checks every filter and parameter, so a bad
  // spec is refused here, once, instead of failing every task in the workers.
  return parsePipelineSpec(text, new FilterFactory());
}

async function collectImages(inputs: string[]) {
  const images: string[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  const refused: Refused[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (!info) {
      refused.push({ file: input, code: 'ERR_FILE_NOT_FOUND', reason: 'no such file or folder' });
    } else if (info.isDirectory()) {
      const names = (await readdir(input)).sort();
      for (const name of names) {
        const file = path.join(input, name);
        if (!(await stat(file)).isFile()) continue;
        const problem = await imageProblem(file);
        if (problem) skipped.push({ file, reason: problem.reason });
        else images.push(file);
      }
    } else {
      const problem = await imageProblem(input);
      if (problem) refused.push({ file: input, ...problem });
      else images.push(input);
    }
  }
  return { images, skipped, refused };
}

/** Why a file cannot be processed (read from its header by session 01), or `null`. */
async function imageProblem(file: string): Promise<{ code: string; reason: string } | null> {
  try {
    await readImageInfo(file);
    return null;
  } catch (error) {
    const { code, message } = serializeError(error);
    return { code, reason: `${code}: ${message}` };
  }
}

/** `<out>/<name>.<ext>`, with the spec's format as extension, unique within the batch. */
function outputNames(
  images: string[],
  spec: PipelineSpec,
  outDir: string,
): Array<[string, string]> {
  const used = new Set<string>();
  return images.map((input) => {
    const parsed = path.parse(input);
    const format = spec.output?.format;
    const ext = format ? (format === 'jpeg' ? '.jpg' : `.${format}`) : parsed.ext;
    let name = `${parsed.name}${ext}`;
    for (let n = 2; used.has(name); n++) name = `${parsed.name}-${n}${ext}`;
    used.add(name);
    return [input, path.join(outDir, name)];
  });
}

/**
 * `imgq worker`: runs a Redis worker (session 03's AsyncWorker with the image processor) until
 * SIGINT/SIGTERM, or until the queue is empty with `--until-empty`. With `--json` it prints one
 * JSON line per event on stdout — `started`, one `task` line per finished task (with `taskId`
 * and `status`, which the process launcher counts), `stopped` — and logs go to stderr.
 */
export async function workerCommand(config: Config<'worker'>, io: CliIo): Promise<number> {
  // Keep as many tasks ready as the worker runs at once: its loop dequeues one at a time, and
  // this spares it a round trip per task (see RedisTaskQueueOptions.prefetch).
  const queue = await openQueue(config, config.concurrency);
  const logger = createLogger({
    name: 'imgq-worker',
    level: config.logLevel,
    pretty: false,
    destination: process.stderr,
  });
  const worker = createRedisWorker({
    queue,
    concurrency: config.concurrency,
    logger,
    ...(config.workerId ? { id: config.workerId } : {}),
  });
  const emit = (line: Record<string, unknown>) => {
    if (config.json) io.stdout.write(`${JSON.stringify({ ...line, pid: process.pid })}\n`);
  };
  const onResult = ({ result }: { result: TaskResult }) => {
    emit({
      event: 'task',
      taskId: result.taskId,
      status: result.status,
      workerId: result.workerId,
      durationMs: Math.round(result.durationMs),
      ...(result.output ? { output: result.output.path } : {}),
      ...(result.error
        ? { error: { code: result.error.code, message: result.error.message } }
        : {}),
    });
    if (!config.json) {
      const mark = result.status === 'completed' ? 'done  ' : 'FAILED';
      const detail = result.output?.path ?? `${result.error?.code}: ${result.error?.message}`;
      io.stdout.write(`${mark} ${result.taskId}  ${Math.round(result.durationMs)} ms  ${detail}\n`);
    }
  };
  worker.on('completed', onResult);
  worker.on('failed', onResult);

  let stopping: Promise<unknown> | null = null;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      if (!config.json) io.stderr.write(`Stopping (${reason}): finishing tasks in flight...\n`);
      await worker.stop();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  await worker.start();
  emit({
    event: 'started',
    workerId: worker.id,
    queue: config.queue,
    concurrency: config.concurrency,
  });
  if (!config.json) {
    io.stderr.write(
      `Worker ${worker.id} (pid ${process.pid}) on queue \`${config.queue}\` at ` +
        `${redactUrl(config.redisUrl)}, concurrency ${config.concurrency}. Ctrl-C stops it.\n`,
    );
  }

  const idleCheck = config.untilEmpty
    ? setInterval(async () => {
        if (stopping || worker.stats().inFlight > 0) return;
        const pending = await queue.size().catch(() => -1);
        if (pending === 0 && worker.stats().inFlight === 0) void stop('queue empty');
      }, 200)
    : undefined;

  await new Promise<void>((resolve) => worker.once('stopped', () => resolve()));
  clearInterval(idleCheck);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const stats = worker.stats();
  await queue.close();
  emit({ event: 'stopped', workerId: worker.id, completed: stats.completed, failed: stats.failed });
  if (!config.json) {
    io.stderr.write(
      `Worker ${worker.id} stopped: ${stats.completed} done, ${stats.failed} failed.\n`,
    );
  }
  return 0;
}

/** `imgq status`: depths and counters of the queue. */
export async function statusCommand(config: Config<'status'>, io: CliIo): Promise<number> {
  const queue = await openQueue(config);
  try {
    const stats = await queue.stats();
    const report = { queue: config.queue, redis: redactUrl(config.redisUrl), ...stats };
    if (config.json) {
      io.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      io.stdout.write(
        `queue ${config.queue} at ${report.redis}\n` +
          `  pending     ${stats.pending}\n  processing  ${stats.processing}\n` +
          `  completed   ${stats.completed}\n  failed      ${stats.failed}\n`,
      );
    }
    return 0;
  } finally {
    await queue.close();
  }
}

/**
 * `imgq result <id>`: the stored result. Exit 0 when the task completed, 1 when it failed or
 * is unknown, {@link EXIT_NOT_READY} while it is pending or processing.
 */
export async function resultCommand(
  config: Config<'result'>,
  io: CliIo,
  open: QueueOpener = openQueue,
): Promise<number> {
  const queue = await open(config);
  try {
    const result = await queue.result(config.taskId);
    if (result) {
      if (config.json) io.stdout.write(`${JSON.stringify(result)}\n`);
      else io.stdout.write(formatResult(result));
      return result.status === 'completed' ? 0 : 1;
    }
    const record = await queue.task(config.taskId);
    if (!record) {
      throw new TaskNotFoundError(config.taskId, config.queue);
    }
    const report = { taskId: config.taskId, state: record.state, attempts: record.task.attempts };
    if (config.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else io.stdout.write(`Task ${config.taskId} is ${record.state}: no result yet.\n`);
    return EXIT_NOT_READY;
  } finally {
    await queue.close();
  }
}

function formatResult(result: TaskResult): string {
  const head = `Task ${result.taskId}: ${result.status} by ${result.workerId} in ${Math.round(result.durationMs)} ms (attempt ${result.attempt})\n`;
  if (result.output) {
    const o = result.output;
    return `${head}  ${o.path}  ${o.format} ${o.width}x${o.height}  ${o.bytes} bytes\n`;
  }
  return `${head}  ${result.error?.code}: ${result.error?.message}\n`;
}
