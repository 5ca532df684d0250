/**
 * Session 07's offline checker, extended for the Prometheus Operator's kinds: ServiceMonitor,
 * PodMonitor and PrometheusRule validated by their schemas
 * (`@kubernetes-models/prometheus-operator`, with the unknown-field check from its declarations)
 * after session 07's own rules. No second validator.
 */
import { fileURLToPath } from 'node:url';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import {
  type CheckOptions,
  type CheckReport,
  checkTargets,
  type KindSchema,
  modelSchema,
} from '@workbook/session07';

/** The schemas of the operator's kinds used here, for session 07's `schemas` option. */
export function monitoringSchemas(): KindSchema[] {
  const file = (kind: string) =>
    fileURLToPath(
      import.meta.resolve(
        `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`,
      ),
    );
  return [
    modelSchema(ServiceMonitor, file('ServiceMonitor')),
    modelSchema(PodMonitor, file('PodMonitor')),
    modelSchema(PrometheusRule, file('PrometheusRule')),
  ];
}

/**
 * Renders and checks targets with session 07's validator plus the operator's schemas.
 * @example const report = await checkMonitoring(['k8s/monitoring'], { cwd: sessionDir });
 */
export function checkMonitoring(
  targets: readonly string[],
  options: CheckOptions = {},
): Promise<CheckReport> {
  return checkTargets(targets, {
    ...options,
    schemas: [...monitoringSchemas(), ...(options.schemas ?? [])],
  });
}
