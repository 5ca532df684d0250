/**
 * The final overlay renders and passes session 07's checker with KEDA's and the Prometheus
 * Operator's schemas and session 08's autoscaling rules; its objects are the ones the README
 * describes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFinal } from '../src/index.ts';

const SESSION_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('k8s/final', () => {
  it('renders with no errors or warnings, with the API, KEDA and the monitors', async () => {
    const report = await checkFinal([path.join(SESSION_DIR, 'k8s', 'final')], { cwd: SESSION_DIR });
    const findings = report.targets.flatMap((t) =>
      t.findings.map((f) => `${f.severity} ${f.rule}: ${f.message}`),
    );
    expect(findings, '🚨 the overlay must pass every check').toEqual([]);
    const kinds = report.targets[0]!.objects.map(
      (o) => `${o.kind}/${(o.metadata as { name?: string } | undefined)?.name ?? ''}`,
    );
    for (const expected of [
      'Deployment/imgq-api',
      'Service/imgq-api',
      'Ingress/imgq-api',
      'Deployment/imgq-worker',
      'ScaledObject/imgq-worker',
      'StatefulSet/redis',
      'ServiceMonitor/imgq-api',
      'ServiceMonitor/imgq-worker',
      'PrometheusRule/imgq-api',
    ]) {
      expect(kinds, `🚨 ${expected} is part of the final system`).toContain(expected);
    }
    expect(
      kinds.some((k) => k.startsWith('Job/')),
      '🚨 no producer Job: producers use the API',
    ).toBe(false);
  }, 60_000);
});
