/**
 * Session 07 · Kubernetes introduction. This file is the package's only public entry
 * (`@workbook/session07`): the offline manifest validator (render with kubectl kustomize,
 * kubernetes-models schemas, strict fields, course rules with source lines), the overlay diff,
 * the object tree and the deploy path.
 */
export { EXIT_USAGE, USAGE } from './cli/args.ts';
export { type CliIo, type RunK8sOptions, runK8s } from './cli/k8s.ts';
export { type FieldType, fieldsFromDeclarations } from './declarations.ts';
export {
  type DeployOptions,
  type DeployResult,
  deployOverlay,
  ensureCluster,
  podProblems,
} from './deploy.ts';
export {
  type DiffFormatOptions,
  diffRenders,
  type FieldChange,
  formatDiff,
  type ObjectDiff,
} from './diff.ts';
export { K8sError, type K8sErrorCode, K8sErrorCodes, NO_CLUSTER_FIX } from './errors.ts';
export { type KubectlOptions, type KubectlResult, kubectlPath, runKubectl } from './kubectl.ts';
export { type Layer, type ReadOptions, readKustomization } from './kustomization.ts';
export { ensureSecretFile, type SecretFileOptions } from './local-secrets.ts';
export {
  describeRef,
  type FieldPath,
  formatPath,
  getAt,
  isRecord,
  type ManifestObject,
  type ObjectRef,
  recordAt,
  recordsAt,
  refOf,
  stringAt,
  stringMapAt,
} from './manifest.ts';
export { formatTree, objectTree, type TreeNode } from './object-tree.ts';
export { parseQuantity } from './quantity.ts';
export { parseRendered, type RenderedTarget, type RenderOptions, renderTarget } from './render.ts';
export {
  type FormatOptions,
  findingLocation,
  formatReport,
  formatRules,
  reportJson,
  sourceLine,
} from './report.ts';
export { variableReferences } from './rules/config.ts';
export { imageTag, preStopSeconds } from './rules/containers.ts';
export { DEFAULT_RULES } from './rules/index.ts';
export {
  createRuleContext,
  DEFAULT_RULE_SETTINGS,
  type Rule,
  type RuleContext,
  type RuleSettings,
  type Severity,
  type Violation,
} from './rules/rule.ts';
export {
  builtinSchema,
  type KindSchema,
  type ModelClass,
  modelSchema,
  type SchemaProblem,
} from './schema.ts';
export {
  describeSelector,
  type LabelSelector,
  matchesLabels,
  matchesSelector,
  toLabelSelector,
} from './selectors.ts';
export { imageRepository, SourceIndex } from './source-map.ts';
export { closest, unknownFields } from './unknown-fields.ts';
export {
  type CheckOptions,
  type CheckReport,
  checkRendered,
  checkTargets,
  type Finding,
  STAGES,
  type TargetReport,
} from './validator.ts';
export {
  type ContainerRef,
  containerEnv,
  containersOf,
  type EnvEntry,
  envValue,
  findObject,
  type Workload,
  workloadsOf,
} from './workloads.ts';
export type { SourceLocation } from './yaml-source.ts';
