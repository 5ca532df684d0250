import { Filter, type FilterSpec } from '@workbook/session01';
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
  // A Map, not an object: `__proto__` or `toString` are then just names nobody registered.
  readonly #definitions = new Map<string, AnyFilterDefinition>();

  /** Checks and stores a definition; returns the factory for chaining. */
  register(definition: AnyFilterDefinition): this {
    const { name } = definition;
    if (!NAME.test(name)) {
      throw new InvalidFilterDefinitionError(
        `Cannot register filter: expected \`name\` to be kebab-case like \`gaussian-blur\`, got \`${String(name)}\``,
      );
    }
    if (this.#definitions.has(name)) {
      throw new InvalidFilterDefinitionError(
        `Cannot register filter: \`${name}\` is already registered; choose another name`,
      );
    }
    if (typeof definition.apply !== 'function') {
      throw new InvalidFilterDefinitionError(
        `Cannot register filter \`${name}\`: it needs an apply function`,
      );
    }
    const ops: unknown = definition.ops;
    if (!Array.isArray(ops) || ops.length === 0 || !ops.every((op) => KNOWN_OPS.includes(op))) {
      throw new InvalidFilterDefinitionError(
        `Cannot register filter \`${name}\`: \`ops\` must list sharp operations from: ${KNOWN_OPS.join(', ')}`,
      );
    }
    this.#definitions.set(name, definition);
    return this;
  }

  /** Builds a validated filter from `{ name, params }`. */
  create(spec: FilterSpec): Filter {
    const definition = this.#definitions.get(spec.name);
    if (!definition) throw new UnknownFilterError(spec.name, this.names());
    return new Filter(definition, spec.params ?? {});
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.#definitions.keys()].sort();
  }
}
