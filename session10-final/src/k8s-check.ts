/**
 * Session 07's offline checker for the final overlay: KEDA's schemas and session 08's
 * autoscaling rules, and the Prometheus Operator's schemas of session 09, in one run.
 */
import { type CheckOptions, type CheckReport, checkTargets } from '@workbook/session07';
import { AUTOSCALING_RULES, kedaSchemas } from '@workbook/session08';
import { monitoringSchemas } from '@workbook/session09';

/**
 * Renders and checks targets (kustomization folders) with every schema and rule of the course.
 * @example const report = await checkFinal(['k8s/final'], { cwd: sessionDir });
 */
export function checkFinal(
  targets: readonly string[],
  options: CheckOptions = {},
): Promise<CheckReport> {
  return checkTargets(targets, {
    ...options,
    schemas: [...kedaSchemas(), ...monitoringSchemas(), ...(options.schemas ?? [])],
    extraRules: [...AUTOSCALING_RULES, ...(options.extraRules ?? [])],
  });
}
