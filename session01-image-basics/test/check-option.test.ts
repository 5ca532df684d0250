/**
 * The one option-checking helper: every check returns the value it accepted and refuses the rest
 * with ERR_INVALID_OPTION and the one message shape ``Expected `x` to be ..., got `y` (type)``.
 */
import { describe, expect, it } from 'vitest';
import {
  checkBoolean,
  checkChoice,
  checkDuration,
  checkFunction,
  checkInteger,
  checkNumber,
  describeChoices,
  describeRule,
} from '../src/index.ts';

function messageOf(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_INVALID_OPTION', name: 'InvalidOptionError' });
    return (error as Error).message;
  }
  throw new Error('expected the check to throw');
}

describe('check-option', () => {
  it('checkNumber accepts the range and words it the same way every time', () => {
    expect(checkNumber('sigma', 2.5, { min: 0.3, max: 100 })).toBe(2.5);
    expect(messageOf(() => checkNumber('sigma', 200, { min: 0.3, max: 100 }))).toBe(
      'Expected `sigma` to be a number from 0.3 to 100, got `200` (number)',
    );
    expect(messageOf(() => checkNumber('ratio', Number.NaN))).toBe(
      'Expected `ratio` to be a finite number, got `NaN` (number)',
    );
    expect(messageOf(() => checkNumber('angle', '90', { unit: 'degrees' }))).toBe(
      'Expected `angle` to be a number of degrees, got `90` (string)',
    );
  });

  it('checkInteger refuses fractions and says which range is allowed', () => {
    expect(checkInteger('quality', 80, { min: 1, max: 100 })).toBe(80);
    expect(messageOf(() => checkInteger('quality', 80.5, { min: 1, max: 100 }))).toBe(
      'Expected `quality` to be an integer from 1 to 100, got `80.5` (number)',
    );
    expect(messageOf(() => checkInteger('concurrency', 0, { min: 1 }))).toBe(
      'Expected `concurrency` to be an integer >= 1, got `0` (number)',
    );
  });

  it('checkDuration takes whole milliseconds from 1 unless told otherwise', () => {
    expect(checkDuration('leaseMs', 2_000)).toBe(2_000);
    expect(checkDuration('gracePeriodMs', 0, { min: 0 })).toBe(0);
    expect(checkDuration('timeoutMs', Number.POSITIVE_INFINITY, { allowInfinity: true })).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(messageOf(() => checkDuration('leaseMs', 0))).toBe(
      'Expected `leaseMs` to be a whole number of milliseconds >= 1, got `0` (number)',
    );
    expect(messageOf(() => checkDuration('leaseMs', 1.5))).toContain('whole number');
    expect(messageOf(() => checkDuration('leaseMs', Number.POSITIVE_INFINITY))).toContain(
      '>= 1, got',
    );
  });

  it('checkChoice, checkBoolean and checkFunction use the same shape', () => {
    expect(checkChoice('fit', 'cover', ['cover', 'contain'])).toBe('cover');
    expect(messageOf(() => checkChoice('fit', 'squash', ['cover', 'contain']))).toBe(
      'Expected `fit` to be one of `cover`, `contain`, got `squash` (string)',
    );
    expect(checkBoolean('allowSvg', false)).toBe(false);
    expect(messageOf(() => checkBoolean('allowSvg', 'yes'))).toBe(
      'Expected `allowSvg` to be true or false, got `yes` (string)',
    );
    const clock = () => 1;
    expect(checkFunction('clock', clock)).toBe(clock);
    expect(messageOf(() => checkFunction('processor', 42, '(task) => Promise<void>'))).toBe(
      'Expected `processor` to be a function (task) => Promise<void>, got `42` (number)',
    );
  });

  it('describeRule and describeChoices are the words the checks use', () => {
    expect(describeRule({ integer: true, min: 1, max: 4096 })).toBe('an integer from 1 to 4096');
    expect(describeRule({ min: 0, unit: 'milliseconds' })).toBe('a number of milliseconds >= 0');
    expect(describeRule({ max: 10 })).toBe('a number <= 10');
    expect(describeChoices(['jpeg', 'png'])).toBe('one of `jpeg`, `png`');
  });
});
