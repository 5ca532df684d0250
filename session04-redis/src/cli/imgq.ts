#!/usr/bin/env tsx
/**
 * `imgq`: the command line of the Redis image queue.
 *
 *   pnpm --filter @workbook/session04 imgq enqueue photos/ --pipeline sepia.json --out out/
 *   pnpm --filter @workbook/session04 imgq worker --concurrency 4
 *   pnpm --filter @workbook/session04 imgq status --json
 */
import { fileURLToPath } from 'node:url';
import { parseCli, USAGE } from './args.ts';
import {
  type CliIo,
  enqueueCommand,
  resultCommand,
  statusCommand,
  workerCommand,
} from './commands.ts';
import { EXIT_USAGE, reportCliError } from './report.ts';

/** Exit code of a bad command line (the usage is printed with the reason). */
export { EXIT_USAGE };

/**
 * Runs `imgq` with `argv` (without `node` and the script) and returns the exit code.
 * Errors are printed, never thrown: with `--json` as `{"error":{code,message}}` on stdout, else
 * as a message on stderr; a bad command line also prints the usage.
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
      case 'enqueue':
        return await enqueueCommand(config, io);
      case 'worker':
        return await workerCommand(config, io);
      case 'status':
        return await statusCommand(config, io);
      case 'result':
        return await resultCommand(config, io);
    }
  } catch (error) {
    return reportCliError(error, { json, usage: USAGE, io });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runImgq(process.argv.slice(2));
}
