#!/usr/bin/env tsx
/**
 * `imgq` of session 09: session 05's command line plus `trace <task-id>`, which prints a task's
 * whole story from the event log in Redis (and, with `--log`, the workers' JSON log lines).
 *
 *   pnpm --filter @workbook/session09 imgq trace 3f2a… --log worker-1.log --log worker-2.log
 */
import { fileURLToPath } from 'node:url';
import { BadArgumentError } from '@workbook/session04';
import {
  type CliIo,
  COMMON_OPTIONS,
  connectOrClose,
  type ImgqRunner,
  imgqRunner,
  parseStrict,
  redisAndQueue,
  runAsProgram,
} from '@workbook/session04/cli';
import { ReliableTaskQueue, runImgq as runSession05Imgq } from '@workbook/session05';
import { formatTaskStory, readTaskStory } from '../story.ts';
import { TaskEventLog } from '../task-events.ts';

/** The usage of what session 09 adds (session 05's `imgq --help` lists the rest). */
export const TRACE_USAGE = `Usage: imgq trace <task-id> [--log <file>]... [--json] [--redis-url <url>] [--queue <name>]

  The task's whole story in time order: enqueued (by which producer), each attempt with its
  worker, leases recovered, retries with their error codes, done or dead-lettered, all under
  one trace id. --log adds the lines of worker log files (pino JSON) about the task.`;

interface TraceConfig {
  command: 'trace';
  taskId: string;
  logFiles: string[];
  redisUrl: string;
  queue: string;
  json: boolean;
}

function parseTrace(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): TraceConfig | { command: 'help' } {
  const { values, positionals } = parseStrict(argv, {
    ...COMMON_OPTIONS,
    log: { type: 'string', multiple: true },
  });
  if (values.help) return { command: 'help' };
  const [, taskId, ...extra] = positionals;
  if (!taskId) throw new BadArgumentError('Missing the task id: `imgq trace <task-id>`.');
  if (extra.length > 0)
    throw new BadArgumentError(`Unexpected argument \`${extra[0]}\`: trace takes one task id.`);
  return {
    command: 'trace',
    taskId,
    logFiles: values.log ?? [],
    json: values.json === true,
    ...redisAndQueue(values, env),
  };
}

/** `imgq trace`: reads the story and prints it (as JSON with `--json`). */
export async function traceCommand(config: TraceConfig, io: CliIo): Promise<number> {
  const queue = await connectOrClose(
    new ReliableTaskQueue({ url: config.redisUrl, name: config.queue }),
  );
  try {
    const log = new TaskEventLog({ connection: queue.connection, queue: config.queue });
    const story = await readTaskStory(log, config.taskId, { logFiles: config.logFiles });
    io.stdout.write(config.json ? `${JSON.stringify(story)}\n` : `${formatTaskStory(story)}\n`);
    return 0;
  } finally {
    await queue.close();
  }
}

const runTrace: ImgqRunner = imgqRunner(TRACE_USAGE, parseTrace, (config, io) =>
  traceCommand(config, io),
);

/**
 * Runs session 09's `imgq` with `argv` and returns the exit code: `trace` here, every other
 * command by session 05's `imgq`.
 * @example process.exitCode = await runImgq(['trace', taskId, '--json']);
 */
export const runImgq: ImgqRunner = async (argv, env = process.env, io = process) => {
  if (argv[0] === 'trace') return runTrace(argv, env, io);
  const code = await runSession05Imgq(argv, env, io);
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    io.stdout.write(
      `\nSession 09 adds:\n  trace <task-id> [--log <file>]...\n                          a task's whole story across processes\n`,
    );
  }
  return code;
};

/** Runs `imgq` as a program (`bin/imgq.mjs` calls it). */
export function main(): Promise<void> {
  return runAsProgram((argv) => runImgq(argv));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
