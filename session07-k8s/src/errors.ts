/**
 * Session 07's error codes. The base class comes from session 01. Findings of the validator
 * (a selector that matches nothing, a missing probe) are not errors: they are data in the
 * report. These codes are for what stops the tool itself.
 */
import { WorkbookError } from '@workbook/session01';

/** Codes added by session 07 (the README's errors table lists each with its fix). */
export const K8sErrorCodes = {
  /** `kubectl` is not installed or not on the PATH. */
  KUBECTL_NOT_FOUND: 'ERR_KUBECTL_NOT_FOUND',
  /** `kubectl kustomize` refused a kustomization (bad path, missing file, bad patch). */
  KUSTOMIZE_FAILED: 'ERR_KUSTOMIZE_FAILED',
  /** A path given to `k8s check` does not exist or holds no manifests. */
  MANIFESTS_NOT_FOUND: 'ERR_MANIFESTS_NOT_FOUND',
  /** A YAML file (source or rendered) could not be parsed. */
  INVALID_YAML: 'ERR_INVALID_YAML',
  /** `kubectl` reaches no cluster (no kubeconfig, cluster stopped, wrong context). */
  NO_CLUSTER: 'ERR_NO_CLUSTER',
  /** `k8s deploy` stopped because `k8s check` found errors. */
  MANIFESTS_INVALID: 'ERR_MANIFESTS_INVALID',
  /** A kubectl step of `k8s deploy` failed or timed out (apply, rollout, the producer Job). */
  DEPLOY_FAILED: 'ERR_DEPLOY_FAILED',
  /** A bad command line of `k8s` (unknown command or option). */
  BAD_ARGUMENT: 'ERR_BAD_ARGUMENT',
} as const;

/** One of {@link K8sErrorCodes}. */
export type K8sErrorCode = (typeof K8sErrorCodes)[keyof typeof K8sErrorCodes];

/** Every failure of session 07's tools: a {@link WorkbookError} with a {@link K8sErrorCode}. */
export class K8sError extends WorkbookError<K8sErrorCode> {
  override name = 'K8sError';
}

/** Where to get a cluster: printed whenever `kubectl` reaches none. */
export const NO_CLUSTER_FIX =
  'Start a local cluster, then run the command again:\n' +
  '  kind create cluster --name imgq        (https://kind.sigs.k8s.io)\n' +
  '  minikube start                         (https://minikube.sigs.k8s.io)\n' +
  '  k3d cluster create imgq                (https://k3d.io)\n' +
  '`kubectl config current-context` shows which cluster kubectl talks to. ' +
  '`pnpm k8s check` needs no cluster: it validates the manifests offline.';
