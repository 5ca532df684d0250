import {
  describeChoices,
  describeValue,
  type FilterSpec,
  type OutputFormat,
} from '@workbook/session01';
import { z } from 'zod';
import { InvalidSpecError } from './errors.ts';
import type { FilterCatalogue } from './filter-catalogue.ts';

/** How a pipeline's result is encoded. */
export interface OutputSpec {
  /** The output format. */
  format: OutputFormat;
  /** Encoder quality 1-100 (lossy formats). @default the encoder's default */
  quality?: number;
}

/**
 * A whole pipeline as plain, serialisable data: what a JSON file, an HTTP request or a queued
 * task (session 03 on) carries. Build the runnable pipeline with `FilterPipeline.fromSpec`.
 *
 * @example
 * const spec: PipelineSpec = {
 *   steps: [{ name: 'resize', params: { width: 400 } }, { name: 'blur', params: { sigma: 2 } }],
 *   output: { format: 'webp', quality: 80 },
 * };
 */
export interface PipelineSpec {
  /** The filters, applied in this order. */
  steps: FilterSpec[];
  /** How to encode the result. @default the input's format */
  output?: OutputSpec;
}

/** The most steps a spec may have: a guard against hostile specs, not a creative limit. */
export const MAX_PIPELINE_STEPS = 50;

/** Output formats a spec may ask for. */
export const SPEC_OUTPUT_FORMATS = [
  'jpeg',
  'png',
  'webp',
  'avif',
] as const satisfies readonly OutputFormat[];

// Structure only. Parameters stay `unknown` here on purpose: session 01's `validateParams`
// checks them against each filter's own specs and writes the better message.
const stepSchema = z.strictObject({
  name: z.string().min(1).max(64),
  params: z.unknown().optional(),
});

const specSchema = z.strictObject({
  steps: z.array(stepSchema).max(MAX_PIPELINE_STEPS),
  output: z
    .strictObject({
      format: z.enum(SPEC_OUTPUT_FORMATS),
      quality: z.number().int().min(1).max(100).optional(),
    })
    .optional(),
});

/**
 * Validates untrusted input (an object or a JSON string) as a {@link PipelineSpec}: first the
 * structure, then, with a factory, that every filter exists and every parameter is allowed.
 * Returns a fresh object with the parameters checked and defaults filled in; extra keys (like
 * `__proto__`) are rejected, never copied.
 *
 * @param factory checks filter names and parameters (a `FilterFactory` or any
 *   {@link FilterCatalogue}); without it only the structure is checked.
 * @throws {InvalidSpecError} (`ERR_INVALID_SPEC`) naming the key, what was received and what is
 *   allowed.
 * @throws {UnknownFilterError} (`ERR_UNKNOWN_FILTER`) listing the known filters.
 * @throws {InvalidOptionError} (`ERR_INVALID_OPTION`) with the filter's parameter message.
 * @example
 * const spec = parsePipelineSpec(await readFile('sepia.json', 'utf8'), new FilterFactory());
 */
export function parsePipelineSpec(json: unknown, factory?: FilterCatalogue): PipelineSpec {
  const input = typeof json === 'string' ? parseJson(json) : json;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidSpecError(
      `Expected the pipeline spec to be an object like {"steps": [{"name": "blur"}]}, ` +
        `got ${describeValue(input)}`,
    );
  }
  const result = specSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new InvalidSpecError(explainIssue(result.error.issues[0]!));
  const { steps, output } = result.data;
  steps.forEach((step, index) => {
    if (step.params === undefined) return;
    if (step.params === null || typeof step.params !== 'object' || Array.isArray(step.params)) {
      throw new InvalidSpecError(
        `Expected \`steps[${index}].params\` to be an object like {"sigma": 2}, ` +
          `got ${describeValue(step.params)}`,
      );
    }
  });
  const checked: FilterSpec[] = steps.map((step, index) => {
    const params = step.params as Record<string, unknown> | undefined;
    if (!factory) return params ? { name: step.name, params: { ...params } } : { name: step.name };
    try {
      return factory.create({ name: step.name, ...(params ? { params } : {}) }).toJSON();
    } catch (error) {
      // Same error and code, but say which step: specs can be long.
      if (error instanceof Error) error.message = `In \`steps[${index}]\`: ${error.message}`;
      throw error;
    }
  });
  return output ? { steps: checked, output: { ...output } } : { steps: checked };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidSpecError(
      `The pipeline spec is not valid JSON (${(error as Error).message}); ` +
        'expected something like {"steps": [{"name": "blur", "params": {"sigma": 2}}]}',
      { cause: error },
    );
  }
}

/** Turns zod's first issue into a message in the course's shape: what, received, allowed. */
function explainIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? `\`${formatPath(issue.path)}\`` : 'the pipeline spec';
  const got = 'input' in issue ? describeValue(issue.input) : 'nothing';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(issue.path);
      return (
        `Unknown key ${issue.keys.map((k) => `\`${k}\``).join(', ')} in ${where}; ` +
        `allowed keys: ${allowed.join(', ')}`
      );
    }
    case 'invalid_type':
      if (issue.input === undefined) return `Missing ${where}: expected ${article(issue.expected)}`;
      return `Expected ${where} to be ${article(issue.expected)}, got ${got}`;
    case 'invalid_value':
      return `Expected ${where} to be ${describeChoices(issue.values.map(String))}, got ${got}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `Expected ${where} to have at most ${issue.maximum} entries, got ${(issue.input as unknown[]).length}`
        : `Expected ${where} to be at most ${issue.maximum}${issue.origin === 'string' ? ' characters long' : ''}, got ${got}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `Expected ${where} to be a non-empty string, got ${got}`
        : `Expected ${where} to be at least ${issue.minimum}, got ${got}`;
    default:
      return `Invalid ${where}: ${issue.message}, got ${got}`;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
    .join('');
}

function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return ['steps', 'output'];
  if (path[0] === 'output') return ['format', 'quality'];
  return ['name', 'params (filter parameters go inside `params`)'];
}

function article(expected: string): string {
  const words: Record<string, string> = {
    array: 'an array',
    object: 'an object',
    int: 'an integer',
    number: 'a number',
    string: 'a string',
  };
  return words[expected] ?? expected;
}
