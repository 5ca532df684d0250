import { builtinFilters, defineFilter } from '@workbook/session01';
import { describe, expect, it } from 'vitest';
import { FilterFactory } from '../src/filter-factory.ts';
import { MAX_PIPELINE_STEPS, parsePipelineSpec } from '../src/pipeline-spec.ts';

const posterize = defineFilter({
  name: 'posterize',
  description: 'Fewer grey levels',
  params: {
    levels: { type: 'number', min: 2, max: 16, integer: true, default: 4, description: 'levels' },
  },
  ops: ['threshold'],
  apply: (image, { levels }) => image.threshold(256 / levels),
});

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('🚨 expected an error, but nothing was thrown');
}

describe('FilterFactory', () => {
  const factory = new FilterFactory();

  it('starts with session 01 built-ins', () => {
    expect(factory.names()).toEqual(Object.keys(builtinFilters).sort());
    expect(factory.create({ name: 'blur', params: { sigma: 2 } }).toString()).toBe('blur(sigma=2)');
  });

  it('lists the known names when a filter is unknown', () => {
    const error = thrown(() => factory.create({ name: 'gaussian' }));
    expect(error.code).toBe('ERR_UNKNOWN_FILTER');
    expect(error.message).toContain('`gaussian`');
    for (const name of ['blur', 'grayscale', 'sepia', 'edge-sobel'])
      expect(error.message).toContain(name);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'treats %s as an unknown name, not as an object property',
    (name) => {
      expect(thrown(() => factory.create({ name })).code).toBe('ERR_UNKNOWN_FILTER');
    },
  );

  it("gives session 01's parameter messages for bad params", () => {
    const range = thrown(() => factory.create({ name: 'blur', params: { sigma: 5000 } }));
    expect(range.code).toBe('ERR_INVALID_OPTION');
    expect(range.message).toContain('a number from 0.3 to 1000');
    expect(range.message).toContain('`5000` (number)');
    const type = thrown(() => factory.create({ name: 'blur', params: { sigma: '2' } }));
    expect(type.message).toContain('`2` (string)');
    const unknown = thrown(() => factory.create({ name: 'blur', params: { radius: 2 } }));
    expect(unknown.message).toContain('allowed: sigma');
  });

  it('registers a new filter and builds pipelines with it', () => {
    const own = new FilterFactory().register(posterize);
    expect(own.has('posterize')).toBe(true);
    const pipeline = own.createPipeline({
      steps: [{ name: 'resize', params: { width: 10 } }, { name: 'posterize' }],
    });
    expect(pipeline.passes().map((p) => p.map((f) => f.name))).toEqual([['resize', 'posterize']]);
    expect(factory.has('posterize'), '🚨 registering must not leak into other factories').toBe(
      false,
    );
  });

  it.each([
    ['a duplicate name', { ...posterize.definition, name: 'blur' }, 'already registered'],
    [
      'a name that is not kebab-case',
      { ...posterize.definition, name: 'Post Erize' },
      'kebab-case',
    ],
    ['a prototype-looking name', { ...posterize.definition, name: '__proto__' }, 'kebab-case'],
    ['no description', { ...posterize.definition, description: '' }, 'description'],
    ['no apply', { ...posterize.definition, apply: undefined }, 'apply'],
    ['unknown ops', { ...posterize.definition, ops: ['explode'] }, "'custom'"],
    ['no ops', { ...posterize.definition, ops: [] }, 'ops'],
    [
      'a default outside its own range',
      {
        ...posterize.definition,
        params: { levels: { type: 'number', min: 2, max: 16, default: 99, description: 'x' } },
      },
      'default',
    ],
    [
      'min above max',
      {
        ...posterize.definition,
        params: { levels: { type: 'number', min: 9, max: 2, description: 'x' } },
      },
      'min',
    ],
    [
      'a bad param type',
      { ...posterize.definition, params: { levels: { type: 'float', description: 'x' } } },
      "'number'",
    ],
  ])('rejects %s with ERR_INVALID_FILTER_DEFINITION', (_label, definition, words) => {
    const own = new FilterFactory();
    // biome-ignore lint/suspicious/noExplicitAny: deliberately broken definitions
    const error = thrown(() => own.register(definition as any));
    expect(error.code).toBe('ERR_INVALID_FILTER_DEFINITION');
    expect(error.message).toContain(words);
  });

  it('describes every filter with its params and allowed values', () => {
    const blur = factory.describe().find((d) => d.name === 'blur')!;
    expect(blur.ops).toEqual(['blur']);
    expect(blur.params).toEqual([
      expect.objectContaining({
        name: 'sigma',
        type: 'number',
        allowed: 'a number from 0.3 to 1000',
        default: 3,
      }),
    ]);
    expect(factory.describe().map((d) => d.name)).toEqual(factory.names());
  });

  it('can start empty', () => {
    expect(new FilterFactory({ builtins: false }).names()).toEqual([]);
  });
});

describe('parsePipelineSpec', () => {
  const factory = new FilterFactory();
  const parse = (json: unknown) => thrown(() => parsePipelineSpec(json, factory));

  it('accepts a valid spec (object or JSON text) and fills in defaults', () => {
    const text =
      '{"steps":[{"name":"blur"},{"name":"resize","params":{"width":40}}],"output":{"format":"webp","quality":70}}';
    const spec = parsePipelineSpec(text, factory);
    expect(spec.steps[0]).toEqual({ name: 'blur', params: { sigma: 3 } });
    expect(spec.steps[1]?.params).toMatchObject({ width: 40, fit: 'cover' });
    expect(spec.output).toEqual({ format: 'webp', quality: 70 });
    expect(parsePipelineSpec({ steps: [] })).toEqual({ steps: [] });
  });

  it.each([
    ['not an object', 42, 'Expected the pipeline spec to be an object'],
    ['an array', [], 'Expected the pipeline spec to be an object'],
    ['invalid JSON text', '{"steps": [', 'not valid JSON'],
    ['missing steps', {}, 'Missing `steps`: expected an array'],
    [
      'steps of the wrong type',
      { steps: 'blur' },
      'Expected `steps` to be an array, got `blur` (string)',
    ],
    [
      'a step name of the wrong type',
      { steps: [{ name: 5 }] },
      'Expected `steps[0].name` to be a string, got `5` (number)',
    ],
    ['an empty name', { steps: [{ name: '' }] }, '`steps[0].name` to be a non-empty string'],
    [
      'an extra key',
      { steps: [], colour: 'red' },
      'Unknown key `colour` in the pipeline spec; allowed keys: steps, output',
    ],
    [
      'an extra step key',
      { steps: [{ name: 'blur', sigma: 2 }] },
      'Unknown key `sigma` in `steps[0]`; allowed keys: name, params',
    ],
    [
      'params of the wrong type',
      { steps: [{ name: 'blur', params: [2] }] },
      'Expected `steps[0].params` to be an object',
    ],
    [
      'a bad format',
      { steps: [], output: { format: 'bmp' } },
      'Expected `output.format` to be one of `jpeg`, `png`, `webp`, `avif`, got `bmp` (string)',
    ],
    [
      'a fractional quality',
      { steps: [], output: { format: 'png', quality: 1.5 } },
      'Expected `output.quality` to be an integer',
    ],
    [
      'a quality out of range',
      { steps: [], output: { format: 'png', quality: 101 } },
      'at most 100',
    ],
    [
      'a huge array',
      { steps: Array.from({ length: 100_000 }, () => ({ name: 'blur' })) },
      `at most ${MAX_PIPELINE_STEPS} entries, got 100000`,
    ],
  ])('rejects %s with ERR_INVALID_SPEC and a clear message', (_label, json, message) => {
    const error = parse(json);
    expect(error.code).toBe('ERR_INVALID_SPEC');
    expect(error.message).toContain(message);
  });

  it('rejects prototype-pollution keys instead of copying them', () => {
    const top = parse(JSON.parse('{"steps":[],"__proto__":{"polluted":true}}'));
    expect(top).toMatchObject({ code: 'ERR_INVALID_SPEC' });
    expect(top.message).toContain('`__proto__`');
    const inStep = parse(JSON.parse('{"steps":[{"name":"blur","__proto__":{"x":1}}]}'));
    expect(inStep.code).toBe('ERR_INVALID_SPEC');
    const inParams = parse(
      JSON.parse('{"steps":[{"name":"blur","params":{"__proto__":{"sigma":1}}}]}'),
    );
    expect(inParams.code).toBe('ERR_INVALID_OPTION');
    expect(inParams.message).toContain('no parameter `__proto__`');
    const constructorKey = parse({ steps: [{ name: 'blur', params: { constructor: 1 } }] });
    expect(constructorKey.code).toBe('ERR_INVALID_OPTION');
    expect(
      ({} as { polluted?: boolean }).polluted,
      '🚨 Object.prototype was polluted',
    ).toBeUndefined();
  });

  it('reports unknown names and bad params from the factory', () => {
    const unknown = parse({ steps: [{ name: 'blur' }, { name: 'glow' }] });
    expect(unknown.code).toBe('ERR_UNKNOWN_FILTER');
    expect(unknown.message).toContain('known filters: blur');
    const nested = parse({
      steps: [{ name: 'blur', params: { sigma: { deeply: { nested: [1, 2, { x: 3 }] } } } }],
    });
    expect(nested.code).toBe('ERR_INVALID_OPTION');
    expect(nested.message).toContain('(object)');
    const hugeParam = parse({
      steps: [{ name: 'blur', params: { sigma: new Array(100_000).fill(1) } }],
    });
    expect(hugeParam.code).toBe('ERR_INVALID_OPTION');
    expect(hugeParam.message.length, '🚨 messages must stay short').toBeLessThan(300);
  });
});
