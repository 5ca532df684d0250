/**
 * The pieces of session 04's `imgq` that later sessions' command lines reuse
 * (`@workbook/session04/cli`): argument parsing helpers, the error report, and the `enqueue` and
 * `result` commands (given the queue to use).
 */
export {
  type CliConfig,
  COMMON_OPTIONS,
  LOG_LEVELS,
  type LogLevel,
  noPositionals,
  parseCli,
  parseLogLevel,
  parseStrict,
  redisAndQueue,
} from './args.ts';
export {
  type CliIo,
  connectOrClose,
  EXIT_NOT_READY,
  enqueueCommand,
  type QueueOpener,
  resultCommand,
} from './commands.ts';
export {
  EXIT_USAGE,
  type ImgqRunner,
  imgqRunner,
  reportCliError,
  runAsProgram,
  runCommandLine,
} from './report.ts';
