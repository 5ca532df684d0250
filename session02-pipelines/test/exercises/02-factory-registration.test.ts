import { builtinFilters, defineFilter } from '@workbook/session01';
import type { AnyFilterDefinition } from '@workbook/session02';
import { describe, expect, it } from 'vitest';
import { MiniFactory } from '#ex/02-factory-registration/mini-factory.ts';
import { outcomeOf } from '../check-helpers.ts';

const posterize = defineFilter({
  name: 'posterize',
  description: 'Fewer grey levels',
  params: {
    value: {
      type: 'number',
      min: 1,
      max: 255,
      integer: true,
      default: 128,
      description: 'cut-off',
    },
  },
  ops: ['threshold'],
  apply: (image, { value }) => image.threshold(value),
}).definition;

/** A copy of the posterize definition with some fields changed (possibly to broken values). */
const variant = (fields: Record<string, unknown>) =>
  ({ ...posterize, ...fields }) as unknown as AnyFilterDefinition;

describe('02.2 registering filters in a factory', () => {
  it('registers, lists and creates filters', () => {
    const factory = new MiniFactory();
    const returned = factory.register(posterize);
    expect(returned === factory, '🚨 register() must return the factory, for chaining').toBe(true);
    factory.register(builtinFilters.blur.definition);
    const names = factory.names();
    expect(
      names,
      `🚨 names() must list the registered names sorted: posterize then blur registered gives blur, posterize; got ${names.join(', ')}`,
    ).toEqual(['blur', 'posterize']);
    const filter = factory.create({ name: 'posterize', params: { value: 90 } });
    expect(
      filter.toString(),
      '🚨 create() must build the registered filter with the given params',
    ).toBe('posterize(value=90)');
  });

  it('passes bad params on to session 01 (ERR_INVALID_OPTION)', () => {
    const factory = new MiniFactory().register(posterize);
    const outcome = outcomeOf(() => factory.create({ name: 'posterize', params: { value: 999 } }));
    expect(
      outcome.code,
      `🚨 posterize value 999 is out of range: new Filter(definition, params) validates it with ERR_INVALID_OPTION; your code ${outcome.said}`,
    ).toBe('ERR_INVALID_OPTION');
  });

  it('rejects an unknown name and lists the known ones', () => {
    const factory = new MiniFactory().register(posterize);
    const outcome = outcomeOf(() => factory.create({ name: 'glow' }));
    expect(
      outcome.code,
      `🚨 'glow' is not registered: throw UnknownFilterError (ERR_UNKNOWN_FILTER); your code ${outcome.said}`,
    ).toBe('ERR_UNKNOWN_FILTER');
    expect(
      outcome.message,
      `🚨 the message must list the known filters (posterize): "${outcome.message}"`,
    ).toContain('posterize');
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'treats %s as unknown (no object-prototype lookups)',
    (name) => {
      const outcome = outcomeOf(() => new MiniFactory().register(posterize).create({ name }));
      expect(
        outcome.code,
        `🚨 '${name}' is not a registered filter: expected ERR_UNKNOWN_FILTER (every plain object inherits constructor, toString and __proto__; a Map only knows what was put in it); your code ${outcome.said}`,
      ).toBe('ERR_UNKNOWN_FILTER');
    },
  );

  it.each([['gaussian-blur'], ['blur2'], ['x'], ['step-2-of-3']])(
    'accepts the kebab-case name %s',
    (name) => {
      const factory = new MiniFactory();
      const outcome = outcomeOf(() => factory.register(variant({ name })));
      expect(
        outcome.said,
        `🚨 '${name}' is kebab-case and must be accepted; your code ${outcome.said}`,
      ).toBe('returned without an error');
      expect(factory.names(), `🚨 after register(), names() must list '${name}'`).toEqual([name]);
    },
  );

  it.each([
    ['a duplicate name', { name: 'posterize' }],
    [
      "a definition without a name (a RegExp tests undefined as the text 'undefined', which looks kebab-case)",
      { name: undefined },
    ],
    ["the name 'Poster Ize' (capitals and a space)", { name: 'Poster Ize' }],
    ["the name 'poster_ize' (an underscore)", { name: 'poster_ize' }],
    ["the name 'gaussian--blur' (a double dash)", { name: 'gaussian--blur' }],
    ["the name 'blur-' (a trailing dash)", { name: 'blur-' }],
    ["the name '-blur' (a leading dash)", { name: '-blur' }],
    ["the name '2x-zoom' (starts with a digit)", { name: '2x-zoom' }],
    ['a definition without an apply function', { name: 'no-apply', apply: undefined }],
    ['empty ops', { name: 'no-ops', ops: [] }],
    ['ops that is a string, not an array', { name: 'op-string', ops: 'threshold' }],
    ["an unknown op ('explode')", { name: 'bad-op', ops: ['explode'] }],
    [
      "an unknown op among known ones ('threshold', 'explode')",
      { name: 'half-bad', ops: ['threshold', 'explode'] },
    ],
  ])('rejects %s with ERR_INVALID_FILTER_DEFINITION', (label, fields) => {
    const factory = new MiniFactory().register(posterize);
    const outcome = outcomeOf(() => factory.register(variant(fields)));
    expect(
      outcome.code,
      `🚨 register() must refuse ${label} with ERR_INVALID_FILTER_DEFINITION; your code ${outcome.said}`,
    ).toBe('ERR_INVALID_FILTER_DEFINITION');
    const { name } = fields as { name?: string };
    if (typeof name === 'string') {
      expect(
        outcome.message.includes(name),
        `🚨 the refusal must name the filter it refuses ('${name}'), so whoever registered it knows which definition to fix: "${outcome.message}"`,
      ).toBe(true);
    }
    expect(
      factory.names(),
      `🚨 a refused definition must not be registered: names() must still be only posterize`,
    ).toEqual(['posterize']);
  });
});
