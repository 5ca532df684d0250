import { parseArgs } from 'node:util';
import { isWorkbookError } from '@workbook/session01';
import { BadArgumentError } from '@workbook/session04';
import { COMMON_OPTIONS, noPositionals, parseStrict, redisAndQueue } from '@workbook/session04/cli';
import { ReliabilityErrorCodes } from '../errors.ts';
import {
  flagName,
  loadWorkerConfig,
  WORKER_SETTINGS,
  type WorkerConfig,
  type WorkerSettingName,
} from '../worker-config.ts';

/** The usage text `imgq --help` prints (and every argument error repeats). */
export const USAGE = `Usage: imgq <command> [options]

Commands:
  enqueue <file|folder>... --pipeline <spec.json> --out <dir>
                          queue one task per image (session 04's command)
  result <taskId>         the result of one task (session 04's command)
  worker [--concurrency N] [--worker-id NAME] [--until-empty] [--lease-ms MS]
         [--heartbeat-interval-ms MS] [--heartbeat-ttl-ms MS] [--recovery-interval-ms MS]
         [--grace-period-ms MS] [--max-attempts N] [--input-root DIR] [--output-root DIR]
         [--health-port PORT] [--log-level LEVEL] [--log-format json|pretty]
                          a reliable worker: leases, heartbeats, recovery; SIGTERM/Ctrl-C
                          finishes in-flight tasks, a second one exits at once. Every
                          setting can also come from its environment variable
                          (--heartbeat-interval-ms = HEARTBEAT_INTERVAL_MS, ...); logs go
                          to stderr, readable on a terminal, JSON otherwise or with
                          --log-format json (level: warn, or info with --json)
  status                  pending, processing, delayed, done, DLQ and live workers
  workers                 the worker registry: who is alive or dead, and what each is doing
  monitor [--interval-ms MS] [--once]
                          live dashboard (q or Ctrl-C quits); --once prints one frame;
                          with --json, snapshots as JSON lines
  dlq list [--offset N] [--limit N]
                          dead-lettered tasks with their error code, oldest first
  dlq retry <taskId>... | --all [--keep-attempts]
                          back to pending (attempts reset unless --keep-attempts)
  dlq purge --all | --older-than <age>
                          delete dead-lettered tasks (age: 500ms, 30s, 15m, 2h, 7d)
  recover [--max-attempts N]
                          run one recovery pass now (stuck tasks back to pending; a task
                          past N attempts goes to the DLQ; default 5, as workers)

Options (every command):
  --redis-url <url>       Redis to use (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --queue <name>          queue name (default: $QUEUE, else images)
  --json                  machine-readable output (one JSON document; JSON lines for worker)
  -h, --help              this help

Exit codes: 0 ok · 1 failed (Redis down, not found, task failed) · 2 bad arguments ·
3 result not ready yet (imgq result)`;

/** Commands session 05 runs itself; `enqueue` and `result` are session 04's, unchanged. */
export const COMMANDS = ['worker', 'status', 'workers', 'monitor', 'dlq', 'recover'] as const;
/** Session 04's commands that `imgq` passes on as they are. */
export const SESSION04_COMMANDS = ['enqueue', 'result'] as const;

/** Settings every command has. */
export interface CommonConfig {
  redisUrl: string;
  queue: string;
  json: boolean;
}

/** A validated command line of one of session 05's commands. */
export type CliConfig =
  | { command: 'help' }
  | { command: 'session04'; argv: readonly string[] }
  | (CommonConfig & {
      command: 'worker';
      /** Every worker setting: flags, then environment variables, then defaults. */
      config: WorkerConfig;
      untilEmpty: boolean;
    })
  | (CommonConfig & { command: 'status' })
  | (CommonConfig & { command: 'workers' })
  | (CommonConfig & { command: 'monitor'; intervalMs: number; once: boolean })
  | (CommonConfig & { command: 'dlq-list'; offset: number; limit: number })
  | (CommonConfig & {
      command: 'dlq-retry';
      ids: string[] | 'all';
      keepAttempts: boolean;
    })
  | (CommonConfig & { command: 'dlq-purge'; olderThanMs: number | undefined })
  | (CommonConfig & { command: 'recover'; maxAttempts: number | undefined });

const OPTIONS = {
  ...COMMON_OPTIONS,
  concurrency: { type: 'string' },
  'worker-id': { type: 'string' },
  'until-empty': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'lease-ms': { type: 'string' },
  'heartbeat-interval-ms': { type: 'string' },
  'heartbeat-ttl-ms': { type: 'string' },
  'recovery-interval-ms': { type: 'string' },
  'grace-period-ms': { type: 'string' },
  'max-attempts': { type: 'string' },
  'input-root': { type: 'string' },
  'output-root': { type: 'string' },
  'health-port': { type: 'string' },
  'interval-ms': { type: 'string' },
  once: { type: 'boolean' },
  offset: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  'keep-attempts': { type: 'boolean' },
  'older-than': { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;
const COMMON = Object.keys(COMMON_OPTIONS) as OptionName[];

/** Which options each (sub)command accepts besides the common ones. */
const COMMAND_OPTIONS: Record<string, readonly OptionName[]> = {
  worker: [
    ...WORKER_SETTINGS.filter((s) => s !== 'redisUrl' && s !== 'queue').map(
      (s) => flagName(s).slice(2) as OptionName,
    ),
    'until-empty',
  ],
  status: [],
  workers: [],
  monitor: ['interval-ms', 'once'],
  'dlq list': ['offset', 'limit'],
  'dlq retry': ['all', 'keep-attempts'],
  'dlq purge': ['all', 'older-than'],
  recover: ['max-attempts'],
};

/**
 * Parses and checks `imgq`'s arguments once, at the entry point.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` naming the argument and what is allowed.
 * @throws {WorkbookError} `ERR_INVALID_REDIS_URL` for a malformed `--redis-url` / `REDIS_URL`.
 */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  // Session 04's commands have options of their own: find the command loosely first.
  const loose = parseArgs({
    args: [...argv],
    options: OPTIONS,
    allowPositionals: true,
    strict: false,
  });
  const first = loose.positionals.find((word) =>
    [...SESSION04_COMMANDS, ...COMMANDS, 'help'].includes(word as never),
  );
  if ((SESSION04_COMMANDS as readonly string[]).includes(first ?? '')) {
    return { command: 'session04', argv };
  }
  const { values, positionals } = parseStrict(argv, OPTIONS);
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  const all = [...SESSION04_COMMANDS, ...COMMANDS];
  if (command === undefined) {
    throw new BadArgumentError(`Missing command. Expected one of: ${all.join(', ')}.`);
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new BadArgumentError(
      `Unknown command \`${command}\`. Expected one of: ${all.join(', ')}.`,
    );
  }
  let name = command;
  let args = rest;
  if (command === 'dlq') {
    const [sub, ...subRest] = rest;
    if (sub !== 'list' && sub !== 'retry' && sub !== 'purge') {
      throw new BadArgumentError(
        `\`imgq dlq\` needs a subcommand: list, retry or purge, got ${sub === undefined ? 'none' : `\`${sub}\``}.`,
      );
    }
    name = `dlq ${sub}`;
    args = subRest;
  }
  for (const option of Object.keys(values) as OptionName[]) {
    if (!COMMON.includes(option) && !COMMAND_OPTIONS[name]!.includes(option)) {
      throw new BadArgumentError(`Option \`--${option}\` does not apply to \`imgq ${name}\`.`);
    }
  }

  // reliableKeys() adds key names only: the queue name rule is session 04's queueKeys().
  const { redisUrl, queue } = redisAndQueue(values, env);
  const common: CommonConfig = { redisUrl, queue, json: values.json === true };

  switch (name) {
    case 'worker': {
      noPositionals(name, args);
      return {
        ...common,
        command: 'worker',
        config: workerFlags(values as Record<string, unknown>, common, env),
        untilEmpty: values['until-empty'] === true,
      };
    }
    case 'status':
    case 'workers':
      noPositionals(name, args);
      return { ...common, command: name };
    case 'recover':
      noPositionals(name, args);
      return {
        ...common,
        command: 'recover',
        maxAttempts: integer('max-attempts', values['max-attempts'], 1, 1_000),
      };
    case 'monitor':
      noPositionals(name, args);
      return {
        ...common,
        command: 'monitor',
        intervalMs: integer('interval-ms', values['interval-ms'], 100, 60_000) ?? 1_000,
        once: values.once === true,
      };
    case 'dlq list':
      noPositionals(name, args);
      return {
        ...common,
        command: 'dlq-list',
        offset: integer('offset', values.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0,
        limit: integer('limit', values.limit, 1, 1_000) ?? 20,
      };
    case 'dlq retry': {
      if (values.all === true && args.length > 0) {
        throw new BadArgumentError('`imgq dlq retry` takes task ids or `--all`, not both.');
      }
      if (values.all !== true && args.length === 0) {
        throw new BadArgumentError('`imgq dlq retry` needs task ids, or `--all` for every entry.');
      }
      return {
        ...common,
        command: 'dlq-retry',
        ids: values.all === true ? 'all' : args,
        keepAttempts: values['keep-attempts'] === true,
      };
    }
    default: {
      // 'dlq purge'
      noPositionals(name, args);
      const olderThan = values['older-than'];
      if ((values.all === true) === (olderThan !== undefined)) {
        throw new BadArgumentError(
          '`imgq dlq purge` needs exactly one of `--all` or `--older-than <age>` (e.g. 7d).',
        );
      }
      return {
        ...common,
        command: 'dlq-purge',
        olderThanMs: olderThan === undefined ? undefined : parseDuration(olderThan),
      };
    }
  }
}

/**
 * The worker's settings from its flags (each flag is its setting's one name in kebab case),
 * the environment and the defaults, checked by the worker's schema. A wrong flag or variable
 * is a usage error (exit 2) with the schema's message.
 */
function workerFlags(
  values: Record<string, unknown>,
  common: CommonConfig,
  env: NodeJS.ProcessEnv,
): WorkerConfig {
  const overrides: Partial<Record<WorkerSettingName, string>> = {
    redisUrl: common.redisUrl,
    queue: common.queue,
  };
  for (const setting of WORKER_SETTINGS) {
    const value = values[flagName(setting).slice(2)];
    if (typeof value === 'string') overrides[setting] = value;
  }
  // For people (no --json) the worker prints a line per task itself; its logs then only need
  // to say what went wrong, unless LOG_LEVEL or --log-level asks for more.
  if (!common.json && overrides.logLevel === undefined && !env.LOG_LEVEL?.trim()) {
    overrides.logLevel = 'warn';
  }
  try {
    return loadWorkerConfig(env, overrides);
  } catch (error) {
    if (isWorkbookError(error, [ReliabilityErrorCodes.INVALID_CONFIG])) {
      throw new BadArgumentError(error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * A duration like `500ms`, `30s`, `15m`, `2h` or `7d`, in ms.
 * @throws {BadArgumentError} `ERR_BAD_ARGUMENT` for anything else.
 * @example parseDuration('15m') // 900000
 */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) {
    throw new BadArgumentError(`Expected an age like 500ms, 30s, 15m, 2h or 7d, got \`${text}\`.`);
  }
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}

function integer(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new BadArgumentError(
      `Expected \`--${name}\` to be a whole number from ${min} to ${max}, got \`${raw}\`.`,
    );
  }
  return value;
}
