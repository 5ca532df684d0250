/**
 * The Kubernetes monitoring manifests (k8s/monitoring): rendered by the real kubectl kustomize
 * on session 07's base and checked by session 07's validator with the Prometheus Operator's
 * schemas; the monitors point at ports that exist; a broken ServiceMonitor is caught. And the
 * Compose profile is a file Compose accepts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTarget } from '@workbook/session07';
import { describe, expect, it } from 'vitest';
import { checkMonitoring, imgqRuleGroups } from '../src/index.ts';

const SESSION = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const target = path.join(SESSION, 'k8s/monitoring');

type Obj = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

describe('the monitoring manifests', () => {
  it('render on session 07 base and pass every check (schemas of the operator kinds, session 07 rules)', async () => {
    const report = await checkMonitoring([target]);
    const findings = report.targets.flatMap((t) =>
      t.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`),
    );
    expect(findings).toEqual([]);
    const kinds = report.targets[0]!.objects.map(
      (o) => `${o.kind}/${(o.metadata as { name: string }).name}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ServiceMonitor/imgq-worker',
        'PodMonitor/imgq-worker-pods',
        'ServiceMonitor/imgq-exporter',
        'PrometheusRule/imgq',
        'Deployment/imgq-exporter',
        'Service/imgq-exporter',
      ]),
    );
  });

  it('every monitor selects objects that exist and names a port they declare; the rules are the library rules', async () => {
    const { objects } = await renderTarget(target);
    const all = objects as unknown as Obj[];
    const find = (kind: string, name: string) =>
      all.find((o) => o.kind === kind && o.metadata.name === name);
    const servicePorts = (name: string) =>
      ((find('Service', name)?.spec.ports ?? []) as Array<{ name: string }>).map((p) => p.name);
    const podPorts = (name: string) => {
      const spec = find('Deployment', name)?.spec as {
        template: { spec: { containers: Array<{ ports?: Array<{ name: string }> }> } };
      };
      return spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
    };
    for (const [monitor, service] of [
      ['imgq-worker', 'imgq-worker'],
      ['imgq-exporter', 'imgq-exporter'],
    ] as const) {
      const endpoints = find('ServiceMonitor', monitor)?.spec.endpoints as Array<{
        port: string;
        path: string;
      }>;
      for (const e of endpoints) {
        expect(
          servicePorts(service),
          `🚨 ServiceMonitor ${monitor} port ${e.port} exists on Service ${service}`,
        ).toContain(e.port);
        expect(e.path).toBe('/metrics');
      }
    }
    const podEndpoints = find('PodMonitor', 'imgq-worker-pods')?.spec.podMetricsEndpoints as Array<{
      port: string;
    }>;
    expect(podPorts('imgq-worker'), '🚨 PodMonitor port exists on the worker container').toContain(
      podEndpoints[0]!.port,
    );
    const rule = find('PrometheusRule', 'imgq');
    expect(rule?.spec.groups, 'the PrometheusRule carries the library rules').toEqual(
      imgqRuleGroups(),
    );
  });

  it('a ServiceMonitor with a misspelt field is reported', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'workbook-monitor-'));
    try {
      writeFileSync(
        path.join(dir, 'monitor.yaml'),
        [
          'apiVersion: monitoring.coreos.com/v1',
          'kind: ServiceMonitor',
          'metadata:',
          '  name: broken',
          '  namespace: imgq',
          '  labels: { app.kubernetes.io/name: broken, app.kubernetes.io/part-of: imgq }',
          'spec:',
          '  selector: { matchLabels: { app.kubernetes.io/name: imgq-worker } }',
          '  endpoint:',
          '    - port: health',
        ].join('\n'),
      );
      const report = await checkMonitoring([dir]);
      const messages = report.targets.flatMap((t) =>
        t.findings.map((f) => `${f.rule}: ${f.message}`),
      );
      expect(messages.join('\n'), '🚨 the misspelt `endpoint` is caught').toMatch(/endpoint/);
      expect(report.errors).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the Compose observability profile is a file Compose accepts on top of session 06 stack', () => {
    const run = spawnSync(
      'docker',
      [
        'compose',
        '-f',
        'compose.yaml',
        '-f',
        path.join(SESSION, 'compose/compose.observability.yaml'),
        '--profile',
        'observability',
        'config',
        '--services',
      ],
      { cwd: path.join(SESSION, '../session06-docker'), encoding: 'utf8' },
    );
    expect(
      run.error,
      'the docker CLI with Compose (.ci/docker-setup.sh installs it)',
    ).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual(
      expect.arrayContaining(['exporter', 'grafana', 'prometheus', 'worker']),
    );
  });
});
