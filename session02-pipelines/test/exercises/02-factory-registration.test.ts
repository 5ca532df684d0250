import { builtinFilters, defineFilter } from '@workbook/session01';
import { describe, expect, it } from 'vitest';
import { MiniFactory } from '#ex/02-factory-registration/mini-factory.ts';

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

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'nothing was thrown';
}

describe('02.2 registering filters in a factory', () => {
  it('registers, lists and creates filters', () => {
    const factory = new MiniFactory();
    expect(factory.register(posterize), '🚨 register() must return the factory').toBe(factory);
    factory.register(builtinFilters.blur.definition);
    expect(factory.names()).toEqual(['blur', 'posterize']);
    const filter = factory.create({ name: 'posterize', params: { value: 90 } });
    expect(filter.toString()).toBe('posterize(value=90)');
  });

  it('passes bad params on to session 01 (ERR_INVALID_OPTION)', () => {
    const factory = new MiniFactory().register(posterize);
    expect(codeOf(() => factory.create({ name: 'posterize', params: { value: 999 } }))).toBe(
      'ERR_INVALID_OPTION',
    );
  });

  it('rejects an unknown name and lists the known ones', () => {
    const factory = new MiniFactory().register(posterize);
    let message = '';
    try {
      factory.create({ name: 'glow' });
    } catch (error) {
      expect((error as { code?: string }).code, '🚨 use UnknownFilterError').toBe(
        'ERR_UNKNOWN_FILTER',
      );
      message = (error as Error).message;
    }
    expect(message, '🚨 the message must list the known filters').toContain('posterize');
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'treats %s as unknown (no object-prototype lookups)',
    (name) => {
      expect(codeOf(() => new MiniFactory().register(posterize).create({ name }))).toBe(
        'ERR_UNKNOWN_FILTER',
      );
    },
  );

  it.each([
    ['a duplicate name', { ...posterize }],
    ['a name with spaces and capitals', { ...posterize, name: 'Poster Ize' }],
    ['a name with underscores', { ...posterize, name: 'poster_ize' }],
    ['no apply function', { ...posterize, name: 'no-apply', apply: undefined }],
    ['empty ops', { ...posterize, name: 'no-ops', ops: [] }],
    ['an unknown op', { ...posterize, name: 'bad-op', ops: ['explode'] }],
  ])('rejects %s with ERR_INVALID_FILTER_DEFINITION', (_label, definition) => {
    const factory = new MiniFactory().register(posterize);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately broken definitions
    expect(codeOf(() => factory.register(definition as any))).toBe('ERR_INVALID_FILTER_DEFINITION');
  });
});
