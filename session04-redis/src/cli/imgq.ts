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
import { enqueueCommand, resultCommand, statusCommand, workerCommand } from './commands.ts';
import { EXIT_USAGE, type ImgqRunner, imgqRunner, runAsProgram } from './report.ts';

/** Exit code of a bad command line (the usage is printed with the reason). */
export { EXIT_USAGE };

/**
 * Runs `imgq` with `argv` (without `node` and the script) and returns the exit code.
 * Errors are printed, never thrown: with `--json` as `{"error":{code,message}}` on stdout, else
 * as a message on stderr; a bad command line also prints the usage.
 */
export const runImgq: ImgqRunner = imgqRunner(USAGE, parseCli, async (config, io) => {
  if (config.command === 'enqueue') return enqueueCommand(config, io);
  if (config.command === 'worker') return workerCommand(config, io);
  if (config.command === 'status') return statusCommand(config, io);
  return resultCommand(config, io);
});

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runAsProgram((argv) => runImgq(argv));
}
