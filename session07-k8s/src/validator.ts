/**
 * The offline validator: render → schema (kubernetes-models) → strict unknown fields → course
 * rules across the rendered set. Every finding names the source file and line, the rule, what
 * is wrong and how to fix it. Extensible: pass more rules (`extraRules`) and schemas for
 * custom resources (`schemas`); session 08 adds KEDA and autoscaling, session 09 monitors.
 */
import { describeValue, InvalidOptionError, isWorkbookError } from '@workbook/session01';
import {
  type FieldPath,
  formatPath,
  type ManifestObject,
  type ObjectRef,
  refOf,
} from './manifest.ts';
import { type RenderedTarget, type RenderOptions, renderTarget } from './render.ts';
import { DEFAULT_RULES } from './rules/index.ts';
import { createRuleContext, type Rule, type RuleSettings, type Severity } from './rules/rule.ts';
import { builtinSchema, type KindSchema } from './schema.ts';
import { unknownFields } from './unknown-fields.ts';

/** Ids of the checks that are not course rules. */
export const STAGES = {
  /** The object breaks the Kubernetes schema (type, required field, format). */
  SCHEMA: 'schema',
  /** A field the object's type does not have (a typo such as `replica:`). */
  UNKNOWN_FIELD: 'unknown-field',
  /** No schema is known for the apiVersion and kind (a custom resource without a schema). */
  NO_SCHEMA: 'no-schema',
  /** The target could not be rendered (kustomize failed, YAML broken, path missing). */
  RENDER: 'render',
  /** A rule threw instead of returning violations (a bug in the rule). */
  RULE_FAILED: 'rule-failed',
} as const;

/** One problem, ready to print. */
export interface Finding {
  /** A course rule id, or one of {@link STAGES}. */
  rule: string;
  severity: Severity;
  object: ObjectRef;
  /** The field in the rendered object, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  message: string;
  fix: string;
  /** Source file (absolute), 1-based line and column. */
  file: string;
  line: number;
  column: number;
  /** The target (as given) the finding belongs to. */
  target: string;
}

/** Options of {@link checkTargets} and {@link checkRendered}. */
export interface CheckOptions extends RenderOptions {
  /** The course rules to run. @default DEFAULT_RULES */
  rules?: readonly Rule[];
  /** Rules run after `rules` (what later sessions add). @default [] */
  extraRules?: readonly Rule[];
  /** Schemas for kinds kubernetes-models does not have (custom resources). @default [] */
  schemas?: readonly KindSchema[];
  /** Settings of the course rules. @default DEFAULT_RULE_SETTINGS */
  settings?: Partial<RuleSettings>;
}

/** The result of one target. */
export interface TargetReport {
  target: string;
  dir: string;
  mode: 'kustomize' | 'files' | 'failed';
  objects: ManifestObject[];
  findings: Finding[];
  created: string[];
  renderMs: number;
  checkMs: number;
}

/** The result of a whole check. */
export interface CheckReport {
  targets: TargetReport[];
  errors: number;
  warnings: number;
  durationMs: number;
}

function checkOptions(options: CheckOptions): void {
  for (const key of ['rules', 'extraRules', 'schemas'] as const) {
    const value = options[key];
    if (value !== undefined && !Array.isArray(value)) {
      throw new InvalidOptionError(
        `Expected \`${key}\` to be an array, got ${describeValue(value)}`,
      );
    }
  }
  for (const rule of [...(options.rules ?? []), ...(options.extraRules ?? [])]) {
    if (typeof rule?.id !== 'string' || typeof rule.check !== 'function') {
      throw new InvalidOptionError(
        `Expected every rule to have an \`id\` and a \`check\` function, got ${describeValue(rule)}`,
      );
    }
  }
}

/**
 * Renders and checks each target (in parallel); a target that cannot be rendered becomes a
 * `render` finding instead of stopping the others.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for malformed rules or schemas.
 * @example const report = await checkTargets(['k8s/overlays/dev', 'k8s/overlays/prod']);
 */
export async function checkTargets(
  targets: readonly string[],
  options: CheckOptions = {},
): Promise<CheckReport> {
  checkOptions(options);
  const started = performance.now();
  const reports = await Promise.all(
    targets.map(async (target): Promise<TargetReport> => {
      let rendered: RenderedTarget;
      try {
        rendered = await renderTarget(target, options);
      } catch (error) {
        if (!isWorkbookError(error)) throw error;
        const finding: Finding = {
          rule: STAGES.RENDER,
          severity: 'error',
          object: { apiVersion: '', kind: '', name: '', namespace: '' },
          path: '',
          message: `${error.code}: ${error.message}`,
          fix: 'Fix what the message names, then run `kubectl kustomize <folder>` to see the render.',
          file: target,
          line: 1,
          column: 1,
          target,
        };
        return {
          target,
          dir: target,
          mode: 'failed',
          objects: [],
          findings: [finding],
          created: [],
          renderMs: 0,
          checkMs: 0,
        };
      }
      const checkStarted = performance.now();
      const findings = await checkRendered(rendered, options);
      return {
        target,
        dir: rendered.dir,
        mode: rendered.mode,
        objects: rendered.objects,
        findings,
        created: rendered.created,
        renderMs: rendered.renderMs,
        checkMs: performance.now() - checkStarted,
      };
    }),
  );
  const all = reports.flatMap((r) => r.findings);
  return {
    targets: reports,
    errors: all.filter((f) => f.severity === 'error').length,
    warnings: all.filter((f) => f.severity === 'warning').length,
    durationMs: performance.now() - started,
  };
}

/**
 * Checks a rendered target: schema and unknown fields object by object, then the rules on the
 * whole set. Findings are sorted by file and line.
 */
export async function checkRendered(
  rendered: RenderedTarget,
  options: CheckOptions = {},
): Promise<Finding[]> {
  checkOptions(options);
  const findings: Finding[] = [];
  const add = (
    rule: string,
    severity: Severity,
    object: ManifestObject,
    path: FieldPath,
    message: string,
    fix: string,
  ) => {
    const at = rendered.index.locate(object, path);
    findings.push({
      rule,
      severity,
      object: refOf(object),
      path: formatPath(path),
      message,
      fix,
      ...at,
      target: rendered.target,
    });
  };
  const custom = new Map((options.schemas ?? []).map((s) => [`${s.apiVersion}/${s.kind}`, s]));
  for (const object of rendered.objects) {
    const ref = refOf(object);
    if (!ref.apiVersion || !ref.kind) {
      add(
        STAGES.SCHEMA,
        'error',
        object,
        [],
        'the object has no apiVersion or no kind',
        'Every manifest starts with `apiVersion:` and `kind:` (e.g. `apps/v1` and `Deployment`).',
      );
      continue;
    }
    const schema =
      custom.get(`${ref.apiVersion}/${ref.kind}`) ??
      (await builtinSchema(ref.apiVersion, ref.kind));
    if (!schema) {
      add(
        STAGES.NO_SCHEMA,
        'warning',
        object,
        ['kind'],
        `no schema for ${ref.apiVersion} ${ref.kind}: it is not checked`,
        'Check apiVersion and kind for typos (`apps/v1` Deployment, `policy/v1` PodDisruptionBudget); for a custom resource, pass its schema (`modelSchema`).',
      );
      continue;
    }
    for (const problem of schema.validate(object))
      add(STAGES.SCHEMA, 'error', object, problem.path, problem.message, problem.fix);
    const fields = schema.fields();
    if (fields)
      for (const problem of unknownFields(object, fields))
        add(STAGES.UNKNOWN_FIELD, 'error', object, problem.path, problem.message, problem.fix);
  }
  const context = createRuleContext(rendered.objects, options.settings);
  for (const rule of [...(options.rules ?? DEFAULT_RULES), ...(options.extraRules ?? [])]) {
    try {
      for (const v of rule.check(context))
        add(rule.id, v.severity ?? rule.severity, v.object, v.path, v.message, v.fix);
    } catch (error) {
      const first = rendered.objects[0] ?? {};
      add(
        STAGES.RULE_FAILED,
        'error',
        first,
        [],
        `rule \`${rule.id}\` crashed: ${(error as Error).message}`,
        'This is a bug in the rule, not in the manifests: fix the rule.',
      );
    }
  }
  return findings.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.rule.localeCompare(b.rule),
  );
}
