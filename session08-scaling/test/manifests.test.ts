/**
 * The autoscaling manifests (k8s/): rendered by the real kubectl kustomize on session 07's base,
 * checked by session 07's validator with KEDA's schemas and this session's rules; each broken
 * example fires exactly its rules; and the ScaledObject and HPA read by this session's libraries.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTarget } from '@workbook/session07';
import { describe, expect, it } from 'vitest';
import {
  AUTOSCALING_RULES,
  checkAutoscaling,
  type HpaSpec,
  hpaStep,
  kedaHpaSpec,
  resolveHpaSpec,
  resolveScaledObject,
  type ScaledObjectSpec,
} from '../src/index.ts';

const SESSION = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const at = (target: string) => path.join(SESSION, 'k8s', target);

describe('the autoscaling overlays', () => {
  it('hpa-cpu and keda render on session 07 base and pass every check (schemas, session 07 rules, autoscaling rules)', async () => {
    const report = await checkAutoscaling([at('overlays/hpa-cpu'), at('overlays/keda')]);
    const findings = report.targets.flatMap((t) =>
      t.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`),
    );
    expect(findings).toEqual([]);
    const kinds = report.targets.map((t) => t.objects.map((o) => String(o.kind)));
    expect(kinds[0]).toContain('HorizontalPodAutoscaler');
    expect(kinds[1]).toEqual(
      expect.arrayContaining([
        'ScaledObject',
        'TriggerAuthentication',
        'PodDisruptionBudget',
        'Deployment',
      ]),
    );
    expect(kinds[1]).not.toContain('HorizontalPodAutoscaler');
  });

  it('the TriggerAuthentication names the generated Secret (kustomize nameReference)', async () => {
    const { objects } = await renderTarget(at('overlays/keda'));
    const secret = objects.find(
      (o) =>
        o.kind === 'Secret' &&
        String((o.metadata as { name: string }).name).startsWith('imgq-redis'),
    );
    const auth = objects.find((o) => o.kind === 'TriggerAuthentication') as {
      spec: { secretTargetRef: Array<{ name: string }> };
    };
    expect(auth.spec.secretTargetRef[0]!.name).toBe((secret!.metadata as { name: string }).name);
  });

  it("the rendered ScaledObject and HPA are what this session's libraries model", async () => {
    const keda = await renderTarget(at('overlays/keda'));
    const so = keda.objects.find((o) => o.kind === 'ScaledObject') as unknown as {
      spec: ScaledObjectSpec;
    };
    const resolved = resolveScaledObject(so.spec);
    expect(resolved).toMatchObject({
      minReplicaCount: 0,
      maxReplicaCount: 10,
      pollingInterval: 30,
      cooldownPeriod: 300,
    });
    expect(resolved.triggers).toEqual([
      { listName: 'imgq:{images}:pending', listLength: 5, activationListLength: 0 },
    ]);
    // The HPA KEDA would create: 40 tasks waiting with 2 workers → ceil(40 / 5) = 8, rate-limited to 6.
    const { decision } = hpaStep(
      kedaHpaSpec(resolved),
      undefined,
      { currentReplicas: 2, metrics: [{ value: 40 }] },
      0,
    );
    expect([decision.metricReplicas, decision.desiredReplicas]).toEqual([8, 6]);

    const hpaTarget = await renderTarget(at('overlays/hpa-cpu'));
    const hpa = hpaTarget.objects.find((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as {
      spec: HpaSpec;
    };
    expect(resolveHpaSpec(hpa.spec).behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
    });
  });
});

describe('broken examples: each fires its rules, at its source line', () => {
  it.each([
    ['hpa-and-scaledobject', ['error one-autoscaler-per-workload']],
    ['scaledobject-wrong-list', ['error redis-trigger-watches-queue']],
    ['utilization-without-requests', ['error resources-set', 'error utilization-needs-requests']],
    ['scaledobject-schema', ['error schema', 'error unknown-field']],
    [
      'scaledobject-target-missing',
      ['error redis-trigger-metadata', 'error scaledobject-target-exists'],
    ],
    [
      'rollout-drops-capacity',
      ['warning autoscaled-rollout-keeps-capacity', 'warning autoscaled-rollout-keeps-capacity'],
    ],
  ])('broken/%s → %j', async (name, expected) => {
    const report = await checkAutoscaling([at(`broken/${name}`)]);
    const findings = report.targets[0]!.findings;
    expect(findings.map((f) => `${f.severity} ${f.rule}`).sort()).toEqual(expected);
    for (const f of findings) {
      expect(f.line, `${f.rule} has a source line`).toBeGreaterThan(0);
      expect(f.fix.length, `${f.rule} says how to fix it`).toBeGreaterThan(10);
    }
  });

  it('the wrong list is named with the right one in the fix', async () => {
    const report = await checkAutoscaling([at('broken/scaledobject-wrong-list')]);
    const [finding] = report.targets[0]!.findings;
    expect(finding!.message).toMatch(/watches `images`.*queue `images`.*`imgq:\{images\}:pending`/);
    expect(finding!.fix).toBe(
      'Set listName: "imgq:{images}:pending" (quoted: the braces are part of the key).',
    );
  });

  it('every autoscaling rule has an id, a title and a description', () => {
    for (const rule of AUTOSCALING_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)+$/);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.description.length).toBeGreaterThan(40);
    }
  });
});
