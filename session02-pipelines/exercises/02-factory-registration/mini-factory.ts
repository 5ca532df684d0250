import type { Filter, FilterSpec } from '@workbook/session01';
import {
  type AnyFilterDefinition,
  InvalidFilterDefinitionError,
  SHARP_OP_ORDER,
  SOLO_OPS,
  UnknownFilterError,
} from '@workbook/session02';

/** Kebab-case: lowercase words joined by single dashes (`gaussian-blur`). */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const KNOWN_OPS: readonly string[] = [...SHARP_OP_ORDER, ...SOLO_OPS];

/** A registry of filter definitions by name: the core of session 02's `FilterFactory`. */
export class MiniFactory {
  readonly #definitions = new Map<string, AnyFilterDefinition>();

  /**
   * Checks and stores a definition; returns the factory for chaining.
   * @throws {InvalidFilterDefinitionError} `ERR_INVALID_FILTER_DEFINITION` for a name that is
   *   missing or not kebab-case ({@link NAME}), a name already registered, a missing `apply`
   *   function, or `ops` that is not a non-empty array of operations from {@link KNOWN_OPS}.
   */
  register(definition: AnyFilterDefinition): this {
    throw new Error('🐨 TODO (02.2): register() — validate, then store the definition');
  }

  /**
   * Builds a validated filter from `{ name, params }` (`new Filter(definition, params)` from
   * session 01 validates the params).
   * @throws {UnknownFilterError} `ERR_UNKNOWN_FILTER` for a name nobody registered (`toString`
   *   and `constructor` included); its message lists the known names.
   */
  create(spec: FilterSpec): Filter {
    throw new Error('🐨 TODO (02.2): create() — look up the definition and build a Filter');
  }

  /** Registered names, sorted. */
  names(): string[] {
    throw new Error('🐨 TODO (02.2): names() — the registered names, sorted');
  }
}
