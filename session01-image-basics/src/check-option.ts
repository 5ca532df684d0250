/**
 * The one helper every option check of the course goes through, so that every bad option reads
 * the same way, in every session:
 *
 * ``Expected `concurrency` to be an integer from 1 to 1000, got `0` (number)``
 *
 * Each check returns the value it accepted (typed), so a constructor reads
 * `this.#limit = checkInteger('limit', options.limit ?? 20, { min: 1, max: 1_000 })`.
 */
import { describeValue, InvalidOptionError } from './errors.ts';

/** What a number option must be. */
export interface NumberRule {
  /** Whole numbers only. @default false */
  integer?: boolean;
  /** Smallest allowed value (inclusive). @default no lower bound */
  min?: number;
  /** Largest allowed value (inclusive). @default no upper bound */
  max?: number;
  /** `Infinity` is accepted as well ("forever", "no limit"). @default false */
  allowInfinity?: boolean;
  /** Unit named in the message, e.g. `'milliseconds'`. @default none */
  unit?: string;
}

/**
 * Checks a number option against a {@link NumberRule}.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` with the one message shape.
 * @example checkNumber('quality', 120, { integer: true, min: 1, max: 100 })
 * // InvalidOptionError: Expected `quality` to be an integer from 1 to 100, got `120` (number)
 */
export function checkNumber(name: string, value: unknown, rule: NumberRule = {}): number {
  const { integer = false, min = -Infinity, max = Infinity, allowInfinity = false } = rule;
  const ok =
    typeof value === 'number' &&
    ((allowInfinity && value === Infinity) ||
      (Number.isFinite(value) &&
        (!integer || Number.isInteger(value)) &&
        value >= min &&
        value <= max));
  if (!ok)
    throw new InvalidOptionError(
      `Expected \`${name}\` to be ${expected(rule)}, got ${describeValue(value)}`,
    );
  return value as number;
}

/**
 * An integer option (a count, a size, a number of items).
 * @example checkInteger('concurrency', options.concurrency ?? 1, { min: 1 })
 */
export function checkInteger(
  name: string,
  value: unknown,
  range: { min?: number; max?: number } = {},
): number {
  return checkNumber(name, value, { ...range, integer: true });
}

/**
 * A duration option in whole milliseconds (names end in `Ms`).
 * @param options.min shortest allowed duration @default 1
 * @param options.allowInfinity accept `Infinity` ("never expires") @default false
 * @example checkDuration('leaseMs', options.leaseMs ?? 2_000)
 */
export function checkDuration(
  name: string,
  value: unknown,
  options: { min?: number; max?: number; allowInfinity?: boolean } = {},
): number {
  return checkNumber(name, value, {
    integer: true,
    min: options.min ?? 1,
    ...(options.max === undefined ? {} : { max: options.max }),
    allowInfinity: options.allowInfinity ?? false,
    unit: 'milliseconds',
  });
}

/**
 * One of a fixed set of strings.
 * @example checkChoice('fit', 'squash', ['cover', 'contain', 'fill', 'inside', 'outside'])
 */
export function checkChoice<const T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(
      `Expected \`${name}\` to be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, got ` +
        describeValue(value),
    );
  }
  return value as T;
}

/**
 * A function option (a processor, a clock, a random source).
 * @param what what the function does, for the message, e.g. `'(task, context) => Promise<OutputInfo>'`
 */
export function checkFunction<T extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
  what = 'a function',
): T {
  if (typeof value !== 'function') {
    throw new InvalidOptionError(
      `Expected \`${name}\` to be ${what === 'a function' ? what : `a function ${what}`}, got ` +
        describeValue(value),
    );
  }
  return value as T;
}

/** `an integer from 1 to 1000`, `a whole number of milliseconds >= 1 or Infinity`, ... */
function expected(rule: NumberRule): string {
  const { integer = false, min = -Infinity, max = Infinity, allowInfinity = false, unit } = rule;
  const kind = unit
    ? `${integer ? 'a whole number' : 'a number'} of ${unit}`
    : integer
      ? 'an integer'
      : 'a finite number';
  const hasMin = min > -Infinity;
  const hasMax = max < Infinity;
  const range =
    hasMin && hasMax
      ? ` from ${min} to ${max}`
      : hasMin
        ? ` >= ${min}`
        : hasMax
          ? ` <= ${max}`
          : '';
  return `${kind}${range}${allowInfinity ? ' or Infinity' : ''}`;
}
