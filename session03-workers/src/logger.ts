/**
 * Structured logging: one JSON object per line, with context fields (`workerId`, `taskId`)
 * bound once through child loggers instead of pasted into every message. pino does the work;
 * this module only fixes the course's defaults and the small interface library code depends on.
 */

import { checkChoice, describeValue, InvalidOptionError } from '@workbook/session01';
import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * The logging interface library code depends on. pino's logger satisfies it; so does any
 * logger with the same four methods and `child`.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** A logger that adds `bindings` to every line it writes. */
  child(bindings: Record<string, unknown>): Logger;
}

/** pino's level names, plus `silent`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Written as `name` on every line (the program or component). */
  name: string;
  /** Lowest level written. @default 'info' */
  level?: LogLevel;
  /**
   * Human-readable, coloured lines (pino-pretty) instead of JSON. Use it for people at a
   * terminal, never for logs that a machine collects.
   * @default process.stdout.isTTY
   */
  pretty?: boolean;
  /**
   * Where lines go (any stream with `write(line)`), JSON or pretty.
   * @default process.stdout
   */
  destination?: { write(line: string): unknown };
}

/**
 * Creates the course's logger: pino writing JSON lines, or pino-pretty on a terminal.
 *
 * @example
 * const logger = createLogger({ name: 'worker', level: 'debug' });
 * logger.child({ workerId: 'w1' }).info({ taskId }, 'task completed');
 * // {"level":30,"time":...,"name":"worker","workerId":"w1","taskId":"...","msg":"task completed"}
 * @throws {InvalidOptionError} when `name` is empty or `level` is not a pino level.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const { name, level = 'info' } = options;
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidOptionError(
      `Expected \`name\` of the logger to be a non-empty string, got ${describeValue(name)}`,
    );
  }
  checkChoice('level', level, LEVELS);
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  const destination = options.destination ?? process.stdout;
  // pino-pretty's formatter applied line by line, synchronously (no transport thread): a demo's
  // last lines are never lost when it exits, and no extra thread competes with the workers.
  const format = usePretty
    ? prettyFactory({
        colorize: destination === process.stdout && process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : null;
  const stream = format
    ? { write: (line: string) => destination.write(format(line)) }
    : destination;
  return pino({ name, level }, stream);
}

/** A logger that writes nothing: the default of every library class. */
export const silentLogger: Logger = pino({ level: 'silent' });
