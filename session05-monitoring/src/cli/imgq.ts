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
  parseCli as parseSession04Cli,
  reportCliError,
  resultCommand,
} from '@workbook/session04/cli';
import { parseCli, USAGE } from './args.ts';
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

/**
 * Runs `imgq` with `argv` (without `node` and the script) and returns the exit code. Errors
 * are printed, never thrown: with `--json` as `{"error":{code,message}}` on stdout, else on
 * stderr; a bad command line also prints the usage.
 *
 * @example process.exitCode = await runImgq(['status', '--json']);
 */
export async function runImgq(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = process,
): Promise<number> {
  const json = argv.includes('--json');
  try {
    const config = parseCli(argv, env);
    switch (config.command) {
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return 0;
      case 'session04': {
        const old = parseSession04Cli(config.argv, env);
        if (old.command === 'enqueue') return await enqueueCommand(old, io, openCliQueue);
        if (old.command === 'result') return await resultCommand(old, io, openCliQueue);
        io.stdout.write(`${USAGE}\n`);
        return 0;
      }
      case 'worker':
        return await workerCommand(config, io);
      case 'status':
        return await statusCommand(config, io);
      case 'workers':
        return await workersCommand(config, io);
      case 'monitor':
        return await monitorCommand(config, io);
      case 'dlq-list':
        return await dlqListCommand(config, io);
      case 'dlq-retry':
        return await dlqRetryCommand(config, io);
      case 'dlq-purge':
        return await dlqPurgeCommand(config, io);
      case 'recover':
        return await recoverCommand(config, io);
    }
  } catch (error) {
    return reportCliError(error, { json, usage: USAGE, io });
  }
}

/**
 * Runs `imgq` as a program: `process.argv`, exit code, and a quiet end when the reader of a
 * pipe leaves (`imgq monitor --json | head -3`). `bin/imgq.mjs` calls it.
 */
export async function main(): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await runImgq(process.argv.slice(2));
  process.exitCode = code;
  // A worker's abandoned task may still be finishing in the background: do not wait for it.
  setTimeout(() => process.exit(code), 2_000).unref();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
