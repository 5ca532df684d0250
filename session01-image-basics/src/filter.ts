import type { Sharp } from 'sharp';
import { describeChoices, describeRule, meetsRule } from './check-option.ts';
import { describeValue, InvalidOptionError } from './errors.ts';

/**
 * How one parameter of a filter is validated. Filters validate eagerly, when they are built,
 * so a bad pipeline spec is rejected before any image is decoded.
 */
export type ParamSpec =
  | {
      type: 'number';
      /** Smallest allowed value (inclusive). */
      min: number;
      /** Largest allowed value (inclusive). */
      max: number;
      /** Require a whole number. @default false */
      integer?: boolean;
      default?: number;
      description: string;
    }
  | { type: 'boolean'; default?: boolean; description: string }
  | { type: 'enum'; values: readonly string[]; default?: string; description: string };

/** A table of parameter specs, keyed by parameter name. */
export type ParamSpecs = Record<string, ParamSpec>;

/** The validated parameter values a table of specs describes. */
export type ParamValues<S extends ParamSpecs> = {
  [K in keyof S]: S[K] extends { type: 'number' }
    ? number
    : S[K] extends { type: 'boolean' }
      ? boolean
      : S[K] extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : never;
};

/**
 * The sharp operation(s) a filter calls, in call order. sharp applies operations in its own
 * fixed order, not in call order, so session 02's `FilterPipeline` uses these names to decide
 * which filters can share one decode/encode pass. `custom` means the filter does its own
 * multi-step work (it needs the decoded pixels before and after) and always gets a pass of its own.
 */
export type SharpOp =
  | 'rotate'
  | 'autoOrient'
  | 'flip'
  | 'flop'
  | 'affine'
  | 'extract'
  | 'resize'
  | 'extend'
  | 'trim'
  | 'median'
  | 'blur'
  | 'sharpen'
  | 'convolve'
  | 'threshold'
  | 'gamma'
  | 'negate'
  | 'normalise'
  | 'clahe'
  | 'linear'
  | 'recomb'
  | 'modulate'
  | 'greyscale'
  | 'tint'
  | 'flatten'
  | 'custom';

/** Everything that defines a kind of filter. */
export interface FilterDefinition<S extends ParamSpecs> {
  /** Unique kebab-case name used in pipeline specs, e.g. `gaussian-blur`. */
  name: string;
  /** One line for humans (shown in `pnpm demo` output and error messages). */
  description: string;
  /** The parameters the filter accepts. */
  params: S;
  /** The sharp operations `apply` calls, in order (see {@link SharpOp}). */
  ops: readonly SharpOp[];
  /** Adds the filter's operations to a sharp pipeline and returns it. */
  apply(image: Sharp, params: ParamValues<S>): Sharp | Promise<Sharp>;
  /**
   * Optional rule that involves several parameters at once (e.g. "`width` or `height` must be
   * given"). Runs after every single parameter passed its own spec, when the filter is built.
   * @throws {InvalidOptionError} when the combination is not allowed.
   */
  check?(params: ParamValues<S>): void;
}

/** The serialisable description of one filter: what a pipeline spec is made of. */
export interface FilterSpec {
  name: string;
  params?: Record<string, unknown>;
}

/**
 * A filter with validated parameters, ready to apply.
 *
 * @example
 * const blur = new Filter(blurDefinition, { sigma: 2 });
 * await blur.apply(sharp('in.png')).toFile('out.png');
 * @throws {InvalidOptionError} when a parameter is unknown, missing, of the wrong type or out of range.
 */
export class Filter<S extends ParamSpecs = ParamSpecs> {
  readonly name: string;
  readonly description: string;
  readonly ops: readonly SharpOp[];
  readonly params: Readonly<ParamValues<S>>;
  readonly #definition: FilterDefinition<S>;

  constructor(definition: FilterDefinition<S>, params: Record<string, unknown> = {}) {
    this.#definition = definition;
    this.name = definition.name;
    this.description = definition.description;
    this.ops = definition.ops;
    this.params = Object.freeze(validateParams(definition.name, definition.params, params));
    definition.check?.(this.params);
  }

  /** Adds this filter's operations to `image`. */
  apply(image: Sharp): Sharp | Promise<Sharp> {
    return this.#definition.apply(image, this.params);
  }

  /** The plain-data form used in pipeline specs and task payloads. */
  toJSON(): FilterSpec {
    return { name: this.name, params: { ...this.params } };
  }

  toString(): string {
    const parts = Object.entries(this.params).map(([key, value]) => `${key}=${value}`);
    return parts.length ? `${this.name}(${parts.join(', ')})` : this.name;
  }
}

/**
 * Declares a kind of filter and returns a factory that builds validated instances of it.
 *
 * @example
 * export const invert = defineFilter({
 *   name: 'invert', description: 'Photographic negative', params: {}, ops: ['negate'],
 *   apply: (image) => image.negate({ alpha: false }),
 * });
 * invert().apply(sharp(input));
 */
export function defineFilter<S extends ParamSpecs>(definition: FilterDefinition<S>) {
  const create = (params: Partial<ParamValues<S>> | Record<string, unknown> = {}) =>
    new Filter(definition, params as Record<string, unknown>);
  return Object.assign(create, { definition });
}

/** A filter factory as returned by {@link defineFilter}. */
export type FilterFactoryFn = ReturnType<typeof defineFilter>;

/**
 * Checks raw parameters against their specs, fills in defaults and returns the typed values.
 * Every message names the filter, the parameter, the value received and what is allowed.
 *
 * @throws {InvalidOptionError}
 */
export function validateParams<S extends ParamSpecs>(
  filterName: string,
  specs: S,
  raw: Record<string, unknown>,
): ParamValues<S> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidOptionError(
      `Expected the parameters of filter \`${filterName}\` to be an object, got ${describeValue(raw)}`,
    );
  }
  const known = Object.keys(specs);
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new InvalidOptionError(
        `Filter \`${filterName}\` has no parameter \`${key}\`; ` +
          (known.length ? `allowed: ${known.join(', ')}` : 'it takes no parameters'),
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = raw[key] === undefined ? spec.default : raw[key];
    const label = `\`${key}\` of filter \`${filterName}\``;
    if (value === undefined) {
      throw new InvalidOptionError(`Expected ${label} to be given (${describeSpec(spec)})`);
    }
    values[key] = checkValue(label, spec, value);
  }
  return values as ParamValues<S>;
}

function checkValue(label: string, spec: ParamSpec, value: unknown): unknown {
  const fail = () =>
    new InvalidOptionError(
      `Expected ${label} to be ${describeSpec(spec)}, got ${describeValue(value)}`,
    );
  switch (spec.type) {
    case 'number':
      if (!meetsRule(value, spec)) throw fail();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw fail();
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) throw fail();
      return value;
  }
}

/**
 * Human description of what a spec allows, e.g. "a number from 0.3 to 100", in the words of
 * every option check (session 01's `check-option.ts`).
 */
export function describeSpec(spec: ParamSpec): string {
  switch (spec.type) {
    case 'number':
      return describeRule({ integer: spec.integer ?? false, min: spec.min, max: spec.max });
    case 'boolean':
      return 'true or false';
    case 'enum':
      return describeChoices(spec.values);
  }
}
