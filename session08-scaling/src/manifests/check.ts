/**
 * Session 07's offline checker, extended for autoscaling: KEDA's ScaledObject and
 * TriggerAuthentication validated by their schemas (`@kubernetes-models/keda`, with the
 * unknown-field check from its declarations) and {@link AUTOSCALING_RULES} after session 07's
 * own rules. No second validator: the rendering, schema checks, source lines and report are
 * session 07's.
 */
import { fileURLToPath } from 'node:url';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import {
  type CheckOptions,
  type CheckReport,
  checkTargets,
  type KindSchema,
  modelSchema,
} from '@workbook/session07';
import { AUTOSCALING_RULES } from './autoscaling-rules.ts';

/** The schemas of KEDA's kinds used here, for session 07's `schemas` option. */
export function kedaSchemas(): KindSchema[] {
  const file = (kind: string) =>
    fileURLToPath(import.meta.resolve(`@kubernetes-models/keda/keda.sh/v1alpha1/${kind}`));
  return [
    modelSchema(ScaledObject, file('ScaledObject')),
    modelSchema(TriggerAuthentication, file('TriggerAuthentication')),
  ];
}

/**
 * Renders and checks targets with session 07's validator plus KEDA's schemas and the
 * autoscaling rules.
 * @example const report = await checkAutoscaling(['k8s/overlays/keda'], { cwd: sessionDir });
 */
export function checkAutoscaling(
  targets: readonly string[],
  options: CheckOptions = {},
): Promise<CheckReport> {
  return checkTargets(targets, {
    ...options,
    extraRules: [...AUTOSCALING_RULES, ...(options.extraRules ?? [])],
    schemas: [...kedaSchemas(), ...(options.schemas ?? [])],
  });
}
