/**
 * The worker process's configuration: one table of settings, each with ONE name that reads
 * the same everywhere — `heartbeatIntervalMs` as an option, `--heartbeat-interval-ms` as a flag,
 * `HEARTBEAT_INTERVAL_MS` in the environment. Checked once, by a schema, at the entry point; the
 * rest of the process gets plain typed values. This is the one module of session 05 that reads
 * `process.env` (as its default argument).
 */
import { hostname } from 'node:os';
import { WorkbookError } from '@workbook/session01';
import { parseRedisUrl } from '@workbook/session04';
import { LOG_LEVELS, type LogLevel } from '@workbook/session04/cli';
import { z } from 'zod';
import { ReliabilityErrorCodes } from './errors.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const wholeMs = (min: number) => z.coerce.number().int().min(min);

/**
 * Every setting: its schema (from the text of an environment variable or flag), its default,
 * and what to write when it is wrong.
 */
const SETTINGS = {
  redisUrl: {
    schema: z.string().refine(isRedisUrl),
    default: 'redis://127.0.0.1:6379',
    expected: 'a redis:// URL, e.g. redis://:password@redis:6379/0',
  },
  queue: {
    schema: z.string().regex(/^[A-Za-z0-9_.:-]+$/),
    default: 'images',
    expected: 'a queue name of letters, digits, `-`, `_`, `.` or `:`',
  },
  workerId: {
    schema: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
    default: undefined,
    expected: '1-100 letters, digits, `-`, `_` or `.` (default: <host name>-<pid>)',
  },
  concurrency: {
    schema: z.coerce.number().int().min(1).max(1_000),
    default: 1,
    expected: 'an integer from 1 to 1000',
  },
  leaseMs: { schema: wholeMs(100), default: 2_000, expected: 'whole milliseconds >= 100' },
  heartbeatIntervalMs: {
    schema: wholeMs(10),
    default: 500,
    expected: 'whole milliseconds >= 10, well under LEASE_MS (a quarter of it)',
  },
  heartbeatTtlMs: { schema: wholeMs(50), default: 2_000, expected: 'whole milliseconds >= 50' },
  recoveryIntervalMs: {
    schema: wholeMs(0),
    default: 500,
    expected: 'whole milliseconds >= 0 (0 turns recovery off in this worker)',
  },
  gracePeriodMs: { schema: wholeMs(0), default: 10_000, expected: 'whole milliseconds >= 0' },
  maxAttempts: {
    schema: z.coerce.number().int().min(1).max(100),
    default: 5,
    expected: 'an integer from 1 to 100',
  },
  inputRoot: { schema: z.string().min(1), default: undefined, expected: 'a folder path' },
  outputRoot: { schema: z.string().min(1), default: undefined, expected: 'a folder path' },
  healthPort: {
    schema: port,
    default: undefined,
    expected: 'a TCP port from 0 to 65535 (0: any free port; unset: no health server)',
  },
  logLevel: {
    schema: z.enum(LOG_LEVELS as unknown as [LogLevel, ...LogLevel[]]),
    default: 'info',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
  },
  logFormat: {
    schema: z.enum(['json', 'pretty']),
    default: undefined,
    expected: '`json` or `pretty` (default: pretty on a terminal, json otherwise)',
  },
} as const;

type Settings = typeof SETTINGS;
/** The name of one setting (the option name; env and flag names derive from it). */
export type WorkerSettingName = keyof Settings;

/** The checked configuration of a worker process (what `loadWorkerConfig` returns). */
export interface WorkerConfig {
  /** @default 'redis://127.0.0.1:6379' */
  redisUrl: string;
  /** @default 'images' */
  queue: string;
  /** Lease owner and registry id. @default `<host name>-<pid>` (unique per container and pod) */
  workerId: string;
  /** @default 1 */
  concurrency: number;
  /** @default 2000 */
  leaseMs: number;
  /** @default 500 */
  heartbeatIntervalMs: number;
  /** @default 2000 */
  heartbeatTtlMs: number;
  /** @default 500 */
  recoveryIntervalMs: number;
  /** How long SIGTERM waits for tasks in flight. @default 10000 */
  gracePeriodMs: number;
  /** @default 5 */
  maxAttempts: number;
  /** Folder every task input must stay in. @default no restriction */
  inputRoot?: string;
  /** Folder every task output must stay in. @default no restriction */
  outputRoot?: string;
  /** Port of the `/healthz` + `/readyz` server. @default none (no server) */
  healthPort?: number;
  /** @default 'info' */
  logLevel: LogLevel;
  /** @default 'pretty' on a terminal, else 'json' */
  logFormat: 'json' | 'pretty';
}

/** `heartbeatIntervalMs` → `HEARTBEAT_INTERVAL_MS`. */
export function envName(setting: WorkerSettingName): string {
  return setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** `heartbeatIntervalMs` → `--heartbeat-interval-ms`. */
export function flagName(setting: WorkerSettingName): string {
  return `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Every setting's option name, in the table's order. */
export const WORKER_SETTINGS = Object.keys(SETTINGS) as WorkerSettingName[];

/**
 * Reads and checks the worker's configuration: each setting from `overrides` (options or
 * flags, already parsed), else from its environment variable, else its default.
 *
 * @param env the environment @default process.env
 * @param overrides values that win over the environment (e.g. from command-line flags); a
 * string is checked like an environment value
 * @param isTty whether logs go to a terminal (decides the default log format) @default stderr is a TTY
 * @throws {WorkbookError} `ERR_INVALID_CONFIG` naming every wrong setting by its variable and
 * flag, the value received and what is allowed
 * @example
 * const config = loadWorkerConfig({ REDIS_URL: 'redis://redis:6379', CONCURRENCY: '4' });
 * config.concurrency; // 4
 */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<WorkerSettingName, string | number | undefined>> = {},
  isTty: boolean = process.stderr.isTTY === true,
): WorkerConfig {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of WORKER_SETTINGS) {
    const setting = SETTINGS[name];
    const given = overrides[name] ?? nonEmpty(env[envName(name)]);
    if (given === undefined) {
      values[name] = setting.default;
      continue;
    }
    const parsed = setting.schema.safeParse(typeof given === 'string' ? given.trim() : given);
    if (parsed.success) values[name] = parsed.data;
    else {
      problems.push(
        `${envName(name)} (or ${flagName(name)}) must be ${setting.expected}, got \`${String(given)}\``,
      );
    }
  }
  const config = values as unknown as WorkerConfig;
  if (problems.length === 0 && config.heartbeatIntervalMs >= config.leaseMs) {
    problems.push(
      `HEARTBEAT_INTERVAL_MS (${config.heartbeatIntervalMs}) must be shorter than LEASE_MS ` +
        `(${config.leaseMs}): leases would expire between heartbeats; a quarter of LEASE_MS is good`,
    );
  }
  if (problems.length > 0) {
    throw new WorkbookError(
      ReliabilityErrorCodes.INVALID_CONFIG,
      `Invalid worker configuration: ${problems.join('; ')}. Fix the environment variable ` +
        '(or the flag) and start the worker again.',
    );
  }
  config.workerId ??= defaultWorkerId();
  config.logFormat ??= isTty ? 'pretty' : 'json';
  return config;
}

/**
 * `<host name>-<pid>`: unique on one machine, and across containers and pods, whose host name
 * is their own (while their pid is often 1).
 */
export function defaultWorkerId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 80) || 'worker';
  return `${host}-${process.pid}`;
}

function isRedisUrl(url: string): boolean {
  try {
    parseRedisUrl(url);
    return true;
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
