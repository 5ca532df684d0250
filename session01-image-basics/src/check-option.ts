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
  if (!meetsRule(value, rule))
    throw new InvalidOptionError(
      `Expected \`${name}\` to be ${describeRule(rule)}, got ${describeValue(value)}`,
    );
  return value;
}

/**
 * Whether `value` is a number that {@link NumberRule} `rule` allows (no message, no throw): for
 * validators that word their own subject, like a filter's parameters.
 */
export function meetsRule(value: unknown, rule: NumberRule = {}): value is number {
  const { integer = false, min = -Infinity, max = Infinity, allowInfinity = false } = rule;
  return (
    typeof value === 'number' &&
    ((allowInfinity && value === Infinity) ||
      (Number.isFinite(value) &&
        (!integer || Number.isInteger(value)) &&
        value >= min &&
        value <= max))
  );
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
      `Expected \`${name}\` to be ${describeChoices(allowed)}, got ${describeValue(value)}`,
    );
  }
  return value as T;
}

/**
 * A boolean option (a switch).
 * @example checkBoolean('allowUpscale', options.allowUpscale ?? false)
 * // InvalidOptionError: Expected `allowUpscale` to be true or false, got `"yes"` (string)
 */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(
      `Expected \`${name}\` to be true or false, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * What a list of allowed strings reads like in a message: ``one of `cover`, `contain` ``.
 * @example describeChoices(['jpeg', 'png']) // 'one of `jpeg`, `png`'
 */
export function describeChoices(allowed: readonly string[]): string {
  return `one of ${allowed.map((a) => `\`${a}\``).join(', ')}`;
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

/**
 * What a {@link NumberRule} allows, in words: `an integer from 1 to 1000`, `a number from 0.3
 * to 100`, `a whole number of milliseconds >= 1 or Infinity`, ...
 */
export function describeRule(rule: NumberRule = {}): string {
  const { integer = false, min = -Infinity, max = Infinity, allowInfinity = false, unit } = rule;
  const hasMin = min > -Infinity;
  const hasMax = max < Infinity;
  const kind = unit
    ? `${integer ? 'a whole number' : 'a number'} of ${unit}`
    : integer
      ? 'an integer'
      : hasMin || hasMax
        ? 'a number' // a range already rules out NaN and Infinity
        : 'a finite number';
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
