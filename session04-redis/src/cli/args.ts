import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { invocationDir, queueFromEnv, redisUrlFromEnv } from '../config.ts';
import { parseRedisUrl } from '../connection.ts';
import { BadArgumentError } from '../errors.ts';
import { queueKeys } from '../keys.ts';

/** The usage text `imgq --help` prints (and every argument error repeats). */
export const USAGE = `Usage: imgq <command> [options]

Commands:
  enqueue <file|folder>... --pipeline <spec.json> --out <dir>
                          queue one task per image (folders: every image inside)
  worker [--concurrency N] [--until-empty] [--id NAME] [--log-level L]
                          process tasks until Ctrl-C (or until the queue is empty);
                          logs (JSON, level warn by default) go to stderr
  status                  queue depths and counters
  result <taskId>         the result of one task

Options (every command):
  --redis-url <url>       Redis to use (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue <name>          queue name (default: $QUEUE, else images)
  --json                  machine-readable output (one JSON document, or JSON lines for worker)
  -h, --help              this help

Exit codes: 0 ok · 1 failed (Redis down, task failed, not found) · 2 bad arguments ·
3 result not ready yet (task pending or processing)`;

/** The commands `imgq` knows. */
export const COMMANDS = ['enqueue', 'worker', 'status', 'result'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Settings shared by every command. */
export interface CommonConfig {
  redisUrl: string;
  queue: string;
  json: boolean;
  /** Folder relative paths are resolved against (where the user typed the command). */
  cwd: string;
}

/** A fully validated command line. */
export type CliConfig =
  | { command: 'help' }
  | (CommonConfig & {
      command: 'enqueue';
      inputs: string[];
      pipelinePath: string;
      outDir: string;
    })
  | (CommonConfig & {
      command: 'worker';
      concurrency: number;
      untilEmpty: boolean;
      workerId: string | undefined;
      logLevel: LogLevel;
    })
  | (CommonConfig & { command: 'status' })
  | (CommonConfig & { command: 'result'; taskId: string });

/** The options every `imgq` command takes (later sessions' `imgq` take them too). */
export const COMMON_OPTIONS = {
  'redis-url': { type: 'string' },
  queue: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  ...COMMON_OPTIONS,
  pipeline: { type: 'string' },
  out: { type: 'string' },
  concurrency: { type: 'string' },
  'until-empty': { type: 'boolean' },
  id: { type: 'string' },
  'log-level': { type: 'string' },
} as const;

/** Which options each command accepts (besides the common ones). */
const COMMAND_OPTIONS: Record<CommandName, readonly string[]> = {
  enqueue: ['pipeline', 'out'],
  worker: ['concurrency', 'until-empty', 'id', 'log-level'],
  status: [],
  result: [],
};

/** The levels `--log-level` accepts. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Parses and validates `imgq`'s arguments and environment, once, at the entry point: everything
 * after this works with checked, typed values.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` naming the argument and what is allowed.
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` for a malformed `--redis-url` / `REDIS_URL`.
 */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  const { values, positionals } = parseStrict(argv, OPTIONS);
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (command === undefined) {
    throw new BadArgumentError(`Missing command. Expected one of: ${COMMANDS.join(', ')}.`);
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new BadArgumentError(
      `Unknown command \`${command}\`. Expected one of: ${COMMANDS.join(', ')}.`,
    );
  }
  const name = command as CommandName;
  for (const option of Object.keys(values)) {
    if (['redis-url', 'queue', 'json', 'help'].includes(option)) continue;
    if (!COMMAND_OPTIONS[name].includes(option)) {
      throw new BadArgumentError(`Option \`--${option}\` does not apply to \`imgq ${name}\`.`);
    }
  }

  const { redisUrl, queue } = redisAndQueue(values, env);
  const cwd = invocationDir(env);
  const common: CommonConfig = { redisUrl, queue, json: values.json === true, cwd };

  switch (name) {
    case 'enqueue': {
      if (rest.length === 0) {
        throw new BadArgumentError('`imgq enqueue` needs at least one image file or folder.');
      }
      if (!values.pipeline) {
        throw new BadArgumentError('`imgq enqueue` needs `--pipeline <spec.json>`.');
      }
      if (!values.out) {
        throw new BadArgumentError('`imgq enqueue` needs `--out <dir>` for the output images.');
      }
      return {
        ...common,
        command: 'enqueue',
        inputs: rest.map((input) => path.resolve(cwd, input)),
        pipelinePath: path.resolve(cwd, values.pipeline),
        outDir: path.resolve(cwd, values.out),
      };
    }
    case 'worker': {
      noPositionals(name, rest);
      const concurrency = Number(values.concurrency ?? '1');
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
        throw new BadArgumentError(
          `Expected \`--concurrency\` to be a whole number from 1 to 256, got \`${values.concurrency}\`.`,
        );
      }
      const logLevel = parseLogLevel(values['log-level']);
      return {
        ...common,
        command: 'worker',
        concurrency,
        untilEmpty: values['until-empty'] === true,
        workerId: values.id,
        logLevel,
      };
    }
    case 'status':
      noPositionals(name, rest);
      return { ...common, command: 'status' };
    case 'result': {
      if (rest.length !== 1) {
        throw new BadArgumentError(
          `\`imgq result\` needs exactly one task id, got ${rest.length === 0 ? 'none' : rest.length}.`,
        );
      }
      return { ...common, command: 'result', taskId: rest[0]! };
    }
  }
}

/**
 * `node:util`'s `parseArgs` with positionals allowed and unknown options refused.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` with parseArgs' message (unknown option, value
 * missing, ...).
 * @example const { values, positionals } = parseStrict(argv, { json: { type: 'boolean' } });
 */
export function parseStrict<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new BadArgumentError((error as Error).message);
  }
}

/**
 * The Redis and queue every `imgq` command talks to: `--redis-url` (default: `$REDIS_URL`, else
 * the local Redis) and `--queue` (default: `images`), both checked.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` for a queue name that cannot be a key part.
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` for a malformed `--redis-url` / `REDIS_URL`.
 * @example redisAndQueue({ queue: 'thumbs' }, process.env) // { redisUrl: 'redis://…', queue: 'thumbs' }
 */
export function redisAndQueue(
  values: { 'redis-url'?: string | undefined; queue?: string | undefined },
  env: NodeJS.ProcessEnv,
): { redisUrl: string; queue: string } {
  const redisUrl = values['redis-url'] ?? redisUrlFromEnv(env);
  parseRedisUrl(redisUrl);
  const queue = values.queue ?? queueFromEnv(env);
  try {
    queueKeys(queue);
  } catch (error) {
    throw new BadArgumentError(`--queue: ${(error as Error).message}`);
  }
  return { redisUrl, queue };
}

/**
 * The value of `--log-level`, checked.
 * @default 'warn' when the option is absent.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` for anything but one of {@link LOG_LEVELS}.
 * @example parseLogLevel(undefined) // 'warn'
 */
export function parseLogLevel(raw: string | undefined): LogLevel {
  const logLevel = raw ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new BadArgumentError(
      `Expected \`--log-level\` to be one of ${LOG_LEVELS.join(', ')}, got \`${logLevel}\`.`,
    );
  }
  return logLevel as LogLevel;
}

/**
 * Refuses arguments after a command that takes none.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` naming the command and the extra words.
 * @example noPositionals('status', []) // fine; noPositionals('status', ['x']) throws
 */
export function noPositionals(command: string, rest: readonly string[]): void {
  if (rest.length > 0) {
    throw new BadArgumentError(
      `\`imgq ${command}\` takes no arguments, got \`${rest.join(' ')}\`.`,
    );
  }
}
