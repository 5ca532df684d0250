import {
  describeSpec,
  describeValue,
  type Filter,
  type FilterSpec,
  type ParamSpec,
  type ParamSpecs,
  type SharpOp,
  validateParams,
} from '@workbook/session01';
import { InvalidFilterDefinitionError } from './errors.ts';
import {
  type AnyFilterDefinition,
  builtinDefinitions,
  type DefinedFilter,
  type FilterCatalogue,
  filterFromSpec,
} from './filter-catalogue.ts';
import { FilterPipeline } from './filter-pipeline.ts';
import type { PipelineSpec } from './pipeline-spec.ts';
import { SHARP_OP_ORDER, SOLO_OPS } from './sharp-order.ts';

/** One parameter as {@link FilterFactory.describe} reports it. */
export interface ParamDescription {
  name: string;
  type: ParamSpec['type'];
  description: string;
  /** What is allowed, in words: "a number from 0.3 to 100". */
  allowed: string;
  default?: number | boolean | string;
}

/** One filter as {@link FilterFactory.describe} reports it. */
export interface FilterDescription {
  name: string;
  description: string;
  ops: readonly SharpOp[];
  params: ParamDescription[];
}

/** Options of {@link FilterFactory}. */
export interface FilterFactoryOptions {
  /**
   * Start with session 01's built-in filters (`blur`, `grayscale`, ...).
   * @default true
   */
  builtins?: boolean;
}

/** Filter names are kebab-case: lowercase words joined by single dashes. */
const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 64;
const KNOWN_OPS: ReadonlySet<string> = new Set([...SHARP_OP_ORDER, ...SOLO_OPS]);

/**
 * A registry of filter definitions by name: the bridge from JSON (`{"name": "blur", "params":
 * {"sigma": 2}}`) to validated {@link Filter}s and pipelines.
 *
 * @example
 * const factory = new FilterFactory();
 * factory.register(posterize.definition);
 * const pipeline = factory.createPipeline({ steps: [{ name: 'posterize', params: { levels: 4 } }] });
 */
export class FilterFactory implements FilterCatalogue {
  // A Map, not a plain object: names like `__proto__` or `constructor` are just unknown names.
  readonly #definitions = new Map<string, AnyFilterDefinition>();

  constructor(options: FilterFactoryOptions = {}) {
    if (options.builtins ?? true) {
      for (const definition of builtinDefinitions().values()) this.register(definition);
    }
  }

  /**
   * Adds a kind of filter. The definition is checked now, so a mistake shows up at start-up
   * rather than on the first image.
   *
   * @param definition a {@link FilterDefinition} or what `defineFilter` returned.
   * @returns this factory, for chaining.
   * @throws {InvalidFilterDefinitionError} (`ERR_INVALID_FILTER_DEFINITION`) for a name that is
   *   not kebab-case or already registered, a missing description or `apply`, unknown ops,
   *   or parameter specs whose ranges or defaults do not make sense.
   */
  register(definition: AnyFilterDefinition | DefinedFilter): this {
    const def = 'definition' in definition ? definition.definition : definition;
    checkDefinition(def, this.#definitions);
    this.#definitions.set(def.name, Object.freeze({ ...def }));
    return this;
  }

  /** Whether a filter of this name is registered. */
  has(name: string): boolean {
    return this.#definitions.has(name);
  }

  /** Registered filter names, sorted. */
  names(): string[] {
    return [...this.#definitions.keys()].sort();
  }

  /**
   * Builds one validated filter from its spec.
   *
   * @throws {UnknownFilterError} (`ERR_UNKNOWN_FILTER`) listing the known names.
   * @throws {InvalidOptionError} (`ERR_INVALID_OPTION`) with session 01's parameter message.
   * @example
   * factory.create({ name: 'blur', params: { sigma: 2 } });
   */
  create(spec: FilterSpec): Filter {
    return filterFromSpec(this.#definitions, spec);
  }

  /**
   * Builds a {@link FilterPipeline} from a spec (a parsed object or raw JSON), validating the
   * structure, every filter name and every parameter first.
   *
   * @throws {InvalidSpecError} | {UnknownFilterError} | {InvalidOptionError}
   */
  createPipeline(spec: PipelineSpec | unknown): FilterPipeline {
    return FilterPipeline.fromSpec(spec, this);
  }

  /** Every registered filter with its parameters and their allowed values, sorted by name. */
  describe(): FilterDescription[] {
    return this.names().map((name) => {
      const def = this.#definitions.get(name)!;
      return {
        name,
        description: def.description,
        ops: def.ops,
        params: Object.entries(def.params as ParamSpecs).map(([param, spec]) => ({
          name: param,
          type: spec.type,
          description: spec.description,
          allowed: describeSpec(spec),
          ...(spec.default === undefined ? {} : { default: spec.default }),
        })),
      };
    });
  }
}

function checkDefinition(
  def: AnyFilterDefinition,
  registered: ReadonlyMap<string, AnyFilterDefinition>,
): void {
  const fail = (what: string): never => {
    throw new InvalidFilterDefinitionError(`Cannot register filter: ${what}`);
  };
  if (def === null || typeof def !== 'object') {
    fail(`expected a filter definition object, got ${describeValue(def)}`);
  }
  const { name } = def;
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
    fail(
      `expected \`name\` to be kebab-case (like \`gaussian-blur\`, at most ${MAX_NAME_LENGTH} ` +
        `characters), got ${describeValue(name)}`,
    );
  }
  if (registered.has(name)) {
    fail(`a filter named \`${name}\` is already registered; choose another name`);
  }
  if (typeof def.description !== 'string' || def.description.trim() === '') {
    fail(
      `filter \`${name}\` needs a one-line \`description\`, got ${describeValue(def.description)}`,
    );
  }
  if (typeof def.apply !== 'function') {
    fail(`filter \`${name}\` needs an \`apply(image, params)\` function`);
  }
  if (def.check !== undefined && typeof def.check !== 'function') {
    fail(`filter \`${name}\`: \`check\`, when given, must be a function`);
  }
  if (!Array.isArray(def.ops) || def.ops.length === 0) {
    fail(`filter \`${name}\` must list the sharp operations it calls in \`ops\`, e.g. ['blur']`);
  }
  const unknown = def.ops.filter((op: unknown) => typeof op !== 'string' || !KNOWN_OPS.has(op));
  if (unknown.length > 0) {
    fail(
      `filter \`${name}\` has unknown ops ${describeValue(unknown)}; allowed: ` +
        `${[...KNOWN_OPS].join(', ')} (use 'custom' for multi-step work)`,
    );
  }
  checkParamSpecs(name, def.params, fail);
}

function checkParamSpecs(name: string, params: unknown, fail: (what: string) => never): void {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    fail(
      `filter \`${name}\` needs a \`params\` object (use {} for none), got ${describeValue(params)}`,
    );
  }
  for (const [key, spec] of Object.entries(params as Record<string, ParamSpec>)) {
    const where = `parameter \`${key}\` of filter \`${name}\``;
    if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(key)) fail(`${where}: names must be camelCase words`);
    if (spec?.type === 'number') {
      const { min, max } = spec;
      if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
        fail(`${where}: expected finite \`min\` <= \`max\`, got min ${min}, max ${max}`);
      }
    } else if (spec?.type === 'enum') {
      if (!Array.isArray(spec.values) || spec.values.length === 0) {
        fail(`${where}: an enum needs a non-empty \`values\` list`);
      }
    } else if (spec?.type !== 'boolean') {
      const type = (spec as { type?: unknown } | undefined)?.type;
      fail(
        `${where}: expected \`type\` to be 'number', 'boolean' or 'enum', got ${describeValue(type)}`,
      );
    }
    if (spec.default !== undefined) {
      try {
        validateParams(name, { [key]: spec }, { [key]: spec.default });
      } catch (error) {
        fail(`${where}: its default is not allowed by its own spec (${(error as Error).message})`);
      }
    }
  }
}
