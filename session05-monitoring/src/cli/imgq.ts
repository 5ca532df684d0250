#!/usr/bin/env tsx
/**
 * `imgq` of session 05: session 04's command line plus the commands that watch over the
 * system — `worker` (now reliable), `status`, `workers`, `monitor`, `dlq`, `recover`.
 * `enqueue` and `result` are session 04's commands, reused by package name.
 *
 *   pnpm --filter @workbook/session05 imgq worker --concurrency 2
 *   pnpm --filter @workbook/session05 imgq monitor
 *   pnpm --filter @workbook/session05 imgq dlq list
 */
import { fileURLToPath } from 'node:url';
import {
  EXIT_USAGE,
  enqueueCommand,
  type ImgqRunner,
  imgqRunner,
  parseCli as parseSession04Cli,
  resultCommand,
  runAsProgram,
} from '@workbook/session04/cli';
import { type CliConfig, parseCli, USAGE } from './args.ts';
import {
  type CliIo,
  dlqListCommand,
  dlqPurgeCommand,
  dlqRetryCommand,
  monitorCommand,
  openCliQueue,
  recoverCommand,
  statusCommand,
  workerCommand,
  workersCommand,
} from './commands.ts';

/** Exit code of a bad command line (session 04's, the same in every `imgq`). */
export { EXIT_USAGE };

/** The commands of session 05's `imgq`; `enqueue` and `result` are session 04's, on this queue. */
const COMMANDS: {
  [C in Command['command']]: (
    config: Extract<Command, { command: C }>,
    io: CliIo,
    env: NodeJS.ProcessEnv,
  ) => Promise<number>;
} = {
  session04: (config, io, env) => {
    const old = parseSession04Cli(config.argv, env);
    if (old.command === 'enqueue') return enqueueCommand(old, io, openCliQueue);
    if (old.command === 'result') return resultCommand(old, io, openCliQueue);
    io.stdout.write(`${USAGE}\n`);
    return Promise.resolve(0);
  },
  worker: workerCommand,
  status: statusCommand,
  workers: workersCommand,
  monitor: monitorCommand,
  'dlq-list': dlqListCommand,
  'dlq-retry': dlqRetryCommand,
  'dlq-purge': dlqPurgeCommand,
  recover: recoverCommand,
};

/**
 * Runs `imgq` with `argv` (without `node` and the script) and returns the exit code. Errors
 * are printed, never thrown: with `--json` as `{"error":{code,message}}` on stdout, else on
 * stderr; a bad command line also prints the usage.
 *
 * @example process.exitCode = await runImgq(['status', '--json']);
 */
export const runImgq: ImgqRunner = imgqRunner(USAGE, parseCli, (config, io, env) =>
  (COMMANDS[config.command] as (c: Command, io: CliIo, env: NodeJS.ProcessEnv) => Promise<number>)(
    config,
    io,
    env,
  ),
);

/** A parsed command line other than `help`. */
type Command = Exclude<CliConfig, { command: 'help' }>;

/** Runs `imgq` as a program (`bin/imgq.mjs` calls it). */
export function main(): Promise<void> {
  return runAsProgram((argv) => runImgq(argv));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
