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
