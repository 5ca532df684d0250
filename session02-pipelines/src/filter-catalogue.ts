import {
  builtinFilters,
  describeValue,
  Filter,
  type FilterDefinition,
  type FilterSpec,
} from '@workbook/session01';
import { InvalidSpecError, UnknownFilterError } from './errors.ts';

/** Any filter definition, whatever its parameters. */
// biome-ignore lint/suspicious/noExplicitAny: definitions of different parameter tables live side by side
export type AnyFilterDefinition = FilterDefinition<any>;

/** What `defineFilter` returns: a function that builds filters, carrying its definition. */
export interface DefinedFilter {
  definition: AnyFilterDefinition;
}

/**
 * What the spec parser and `FilterPipeline.fromSpec` need from a registry of filters: build one
 * validated filter from its spec. `FilterFactory` is one; the built-in catalogue is another.
 *
 * A small interface on purpose: the pipeline and the spec parser depend on it, not on the
 * factory, so the factory can build pipelines without a loop between the modules.
 */
export interface FilterCatalogue {
  /**
   * Builds one validated filter.
   * @throws {UnknownFilterError} (`ERR_UNKNOWN_FILTER`) for a name it does not know.
   * @throws {InvalidOptionError} (`ERR_INVALID_OPTION`) for a bad parameter.
   */
  create(spec: FilterSpec): Filter;
}

/**
 * Builds one validated filter from `spec`, looking its name up in `definitions`: what every
 * catalogue's `create` does.
 * @throws {InvalidSpecError} for a spec that is not `{name, params?}`; {@link UnknownFilterError}
 * listing the known names; `InvalidOptionError` with session 01's parameter message.
 */
export function filterFromSpec(
  definitions: ReadonlyMap<string, AnyFilterDefinition>,
  spec: FilterSpec,
): Filter {
  if (spec === null || typeof spec !== 'object' || typeof spec.name !== 'string') {
    throw new InvalidSpecError(
      `Expected a filter spec like {"name": "blur", "params": {...}}, got ${describeValue(spec)}`,
    );
  }
  const definition = definitions.get(spec.name);
  if (!definition) throw new UnknownFilterError(spec.name, [...definitions.keys()].sort());
  return new Filter(definition, spec.params ?? {});
}

/** Session 01's built-in filters by name. Trusted, so they skip the factory's definition checks. */
export function builtinDefinitions(): Map<string, AnyFilterDefinition> {
  const definitions = new Map<string, AnyFilterDefinition>();
  for (const defined of Object.values(builtinFilters) as DefinedFilter[]) {
    definitions.set(defined.definition.name, defined.definition);
  }
  return definitions;
}

let builtins: FilterCatalogue | undefined;

/** A catalogue of session 01's built-in filters only, created on first use. */
export function builtinCatalogue(): FilterCatalogue {
  if (!builtins) {
    const definitions = builtinDefinitions();
    builtins = { create: (spec) => filterFromSpec(definitions, spec) };
  }
  return builtins;
}
