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

  /** Checks and stores a definition; returns the factory for chaining. */
  register(definition: AnyFilterDefinition): this {
    // 🐨 Refuse, with `new InvalidFilterDefinitionError(message)`:
    //    - a name that does not match NAME (kebab-case),
    //    - a name that is already registered,
    //    - a definition without an `apply` function,
    //    - `ops` that is not a non-empty array of names from KNOWN_OPS.
    //    Otherwise store it in #definitions and return `this`.
    throw new Error('🐨 TODO (02.2): register() — validate, then store the definition');
  }

  /** Builds a validated filter from `{ name, params }`. */
  create(spec: FilterSpec): Filter {
    // 🐨 Look the name up; unknown → `throw new UnknownFilterError(spec.name, this.names())`.
    //    Known → `new Filter(definition, spec.params ?? {})` (it validates the params).
    throw new Error('🐨 TODO (02.2): create() — look up the definition and build a Filter');
  }

  /** Registered names, sorted. */
  names(): string[] {
    throw new Error('🐨 TODO (02.2): names() — the registered names, sorted');
  }
}
