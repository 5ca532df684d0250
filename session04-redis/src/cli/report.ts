import { serializeError } from '@workbook/session01';
import { RedisErrorCodes } from '../errors.ts';
import type { CliIo } from './commands.ts';

/** Exit code of a bad command line (the usage is printed with the reason). */
export const EXIT_USAGE = 2;

/**
 * Prints an error that ended an `imgq` command and returns the exit code: with `json`, as
 * `{"error":{code,message}}` on stdout, else as `imgq: CODE: message` on stderr. A bad command
 * line or Redis URL also prints `usage` and exits {@link EXIT_USAGE}; anything else exits 1.
 * @example return reportCliError(error, { json: false, usage: USAGE, io: process });
 */
export function reportCliError(
  error: unknown,
  options: { json: boolean; usage: string; io: CliIo },
): number {
  const { json, usage: usageText, io } = options;
  const { code, message } = serializeError(error);
  const usage = code === RedisErrorCodes.BAD_ARGUMENT || code === RedisErrorCodes.INVALID_REDIS_URL;
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else io.stderr.write(`imgq: ${code}: ${message}\n${usage ? `\n${usageText}\n` : ''}`);
  return usage ? EXIT_USAGE : 1;
}

/**
 * The frame of every `imgq`: parses the command line, prints the usage for `help`, runs the
 * command, and turns any error into its report and exit code ({@link reportCliError}). Errors
 * are printed, never thrown: with `--json` as `{"error":{code,message}}` on stdout.
 * @param parse checks the arguments (throws `ERR_BAD_ARGUMENT` with the reason)
 * @param run runs a parsed command and resolves with its exit code
 */
export async function runCommandLine<C extends { command: string }>(
  argv: readonly string[],
  io: CliIo,
  usage: string,
  parse: (argv: readonly string[]) => C,
  run: (config: Exclude<C, { command: 'help' }>) => Promise<number>,
): Promise<number> {
  try {
    const config = parse(argv);
    if (config.command === 'help') {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    return await run(config as Exclude<C, { command: 'help' }>);
  } catch (error) {
    return reportCliError(error, { json: argv.includes('--json'), usage, io });
  }
}

/** An `imgq`: runs its command line with `argv` (without `node` and the script). */
export type ImgqRunner = (
  argv: readonly string[],
  env?: NodeJS.ProcessEnv,
  io?: CliIo,
) => Promise<number>;

/**
 * Makes a session's `imgq` from its usage, its parser and its commands ({@link runCommandLine}
 * around them): every `imgq` reports errors and exits the same way.
 * @example export const runImgq = imgqRunner(USAGE, parseCli, (config, io) => run(config, io));
 */
export function imgqRunner<C extends { command: string }>(
  usage: string,
  parse: (argv: readonly string[], env: NodeJS.ProcessEnv) => C,
  run: (
    config: Exclude<C, { command: 'help' }>,
    io: CliIo,
    env: NodeJS.ProcessEnv,
  ) => Promise<number>,
): ImgqRunner {
  return (argv, env = process.env, io = process) =>
    runCommandLine(
      argv,
      io,
      usage,
      (args) => parse(args, env),
      (config) => run(config, io, env),
    );
}

/**
 * Runs an `imgq` as a program: `process.argv`, the exit code, and a quiet end when the reader
 * of a pipe leaves (`imgq monitor --json | head -3`) instead of an EPIPE crash.
 */
export async function runAsProgram(
  runImgq: (argv: readonly string[]) => Promise<number>,
): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const code = await runImgq(process.argv.slice(2));
  process.exitCode = code;
  // A worker's abandoned task may still be finishing in the background: do not wait for it.
  setTimeout(() => process.exit(code), 2_000).unref();
}
