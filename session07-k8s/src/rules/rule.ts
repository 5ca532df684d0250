/**
 * What a course rule is. A rule sees the whole rendered set (so it can check that a Service
 * selects some pod, or that a referenced Secret exists) and returns violations: the object,
 * the path of the field, what is wrong and how to fix it. The validator turns each violation
 * into a finding with the source file and line. Later sessions add their own rules (HPA and
 * KEDA rules in session 08, monitors in session 09) by passing them to `checkTargets`.
 */
import type { FieldPath, ManifestObject } from '../manifest.ts';
import { refOf } from '../manifest.ts';
import { findObject, type Workload, workloadsOf } from '../workloads.ts';

/** How bad a finding is: errors fail `k8s check`, warnings are shown. */
export type Severity = 'error' | 'warning';

/** One thing a rule found wrong. */
export interface Violation {
  /** The rendered object. */
  object: ManifestObject;
  /** The field (or, for a missing field, where it belongs). */
  path: FieldPath;
  /** What is wrong, naming the values involved. */
  message: string;
  /** How to fix it. */
  fix: string;
  /** Overrides the rule's severity for this violation. @default the rule's */
  severity?: Severity;
}

/** Settings the course rules read. */
export interface RuleSettings {
  /** Env var holding the worker's shutdown grace (ms). @default 'GRACE_PERIOD_MS' */
  graceVariable: string;
  /** Grace of images that run the course's worker without setting it. @default 10_000 (the contract's default) */
  defaultGracePeriodMs: number;
  /** Image repositories of the course's worker (for the default grace). @default ['imgq-worker'] */
  workerImages: readonly string[];
  /** Env var naming the health port. @default 'HEALTH_PORT' */
  healthPortVariable: string;
  /** Labels every object must have. @default ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'] */
  requiredLabels: readonly string[];
  /** Capabilities a container may add back after dropping ALL. @default ['NET_BIND_SERVICE'] */
  allowedCapabilities: readonly string[];
}

/** The default {@link RuleSettings}. */
export const DEFAULT_RULE_SETTINGS: RuleSettings = {
  graceVariable: 'GRACE_PERIOD_MS',
  defaultGracePeriodMs: 10_000,
  workerImages: ['imgq-worker'],
  healthPortVariable: 'HEALTH_PORT',
  requiredLabels: ['app.kubernetes.io/name', 'app.kubernetes.io/part-of'],
  allowedCapabilities: ['NET_BIND_SERVICE'],
};

/** What a rule gets: the rendered set and helpers to search it. */
export interface RuleContext {
  /** Every rendered object of the target, in render order. */
  objects: readonly ManifestObject[];
  settings: RuleSettings;
  /** The objects of these kinds. */
  ofKind(...kinds: string[]): ManifestObject[];
  /** One object by kind, name and namespace. */
  find(kind: string, name: string, namespace: string): ManifestObject | undefined;
  /** Every object that makes pods, with its pod template. */
  workloads(): Workload[];
}

/** A course rule. */
export interface Rule {
  /** Stable id, kebab-case (`selector-matches-template`): findings and the README name it. */
  id: string;
  /** One line: what the rule wants. */
  title: string;
  severity: Severity;
  /** Why it matters, for the README and `k8s rules`. */
  description: string;
  check(context: RuleContext): Iterable<Violation>;
}

/** Builds the {@link RuleContext} of a rendered set. */
export function createRuleContext(
  objects: readonly ManifestObject[],
  settings: Partial<RuleSettings> = {},
): RuleContext {
  let workloads: Workload[] | undefined;
  return {
    objects,
    settings: { ...DEFAULT_RULE_SETTINGS, ...settings },
    ofKind: (...kinds) => objects.filter((o) => kinds.includes(refOf(o).kind)),
    find: (kind, name, namespace) => findObject(objects, kind, name, namespace),
    workloads: () => {
      workloads ??= workloadsOf(objects);
      return workloads;
    },
  };
}
