/**
 * The HPA's replica calculation against the Kubernetes documentation: its worked examples, then
 * one table per rule (tolerance, missing and unready pods, direction flips, target types,
 * several metrics, scale from zero).
 */
import { describe, expect, it } from 'vitest';
import {
  conditionOf,
  cpuSampleCounts,
  type HpaSpec,
  hpaStep,
  type MetricObservation,
  type PodSample,
  proposeReplicas,
} from '../src/index.ts';
import { cpuUtilization, external, NO_BEHAVIOR, podsAt, podsMetric, s } from './helpers.ts';

const ctx = (
  current: number,
  extra: Partial<{ statusReplicas: number; readyReplicas: number; tolerance: number }> = {},
) => ({
  currentReplicas: current,
  statusReplicas: extra.statusReplicas ?? current,
  readyReplicas: extra.readyReplicas ?? extra.statusReplicas ?? current,
  tolerance: extra.tolerance ?? 0.1,
});

/** The metric proposal of a single CPU metric. */
const cpu = (target: number, pods: PodSample[], current = pods.length) =>
  proposeReplicas(cpuUtilization(target), { pods }, ctx(current));

describe('worked examples from the Kubernetes documentation', () => {
  it('50 pods at 90 % CPU with a 75 % target → 60 (ceil(50 × 90/75))', () => {
    const proposal = cpu(75, podsAt(50, 90));
    expect(proposal.replicas).toBe(60);
    expect(proposal.currentValue).toBe(90);
    expect(proposal.usageRatio).toBeCloseTo(1.2);
  });

  it('200m against a 100m target doubles the replicas; 50m halves them', () => {
    const metric = podsMetric('cpu-cores', 0.1);
    const at = (value: number) => Array.from({ length: 4 }, () => ({ value }));
    expect(proposeReplicas(metric, { pods: at(0.2) }, ctx(4)).replicas).toBe(8);
    expect(proposeReplicas(metric, { pods: at(0.05) }, ctx(4)).replicas).toBe(2);
  });

  it('walkthrough: 1 pod at 305 % with a 50 % target wants 7; the default policy allows 5, then 7', () => {
    const spec: HpaSpec = { minReplicas: 1, maxReplicas: 10, metrics: [cpuUtilization(50)] };
    const first = hpaStep(
      spec,
      undefined,
      { currentReplicas: 1, metrics: [{ pods: podsAt(1, 305) }] },
      0,
    );
    expect(first.decision.metricReplicas).toBe(7);
    expect(first.decision.desiredReplicas).toBe(5); // max(1 + 4 pods, 1 × 200 %)
    expect(conditionOf(first.decision, 'ScalingLimited')?.reason).toBe('ScaleUpLimit');
    // 15 s later the five pods run at 61 % each (305 % spread over 5): ceil(5 × 61/50) = 7.
    const second = hpaStep(
      spec,
      first.state,
      { currentReplicas: 5, metrics: [{ pods: podsAt(5, 61) }] },
      s(15),
    );
    expect(second.decision.desiredReplicas).toBe(7);
    expect(conditionOf(second.decision, 'ScalingLimited')?.reason).toBe('DesiredWithinRange');
  });

  it('walkthrough: "66m / 500m" on 1 pod of minReplicas 1 stays at 1, DesiredWithinRange', () => {
    const spec: HpaSpec = {
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [podsMetric('http_requests', 0.5)],
    };
    const { decision } = hpaStep(
      spec,
      undefined,
      { currentReplicas: 1, metrics: [{ pods: [{ value: 0.066 }] }] },
      0,
    );
    expect(decision.desiredReplicas).toBe(1);
    expect(decision.rescale).toBe(false);
    expect(conditionOf(decision, 'ScalingActive')).toMatchObject({
      status: 'True',
      reason: 'ValidMetricFound',
    });
  });

  it('walkthrough: one worker per 30 outstanding tasks (External AverageValue 30)', () => {
    const metric = external('queue_messages_ready', { averageValue: 30 });
    expect(proposeReplicas(metric, { value: 95 }, ctx(1)).replicas).toBe(4);
    expect(proposeReplicas(metric, { value: 0 }, ctx(3)).replicas).toBe(0);
  });
});

describe('tolerance (0.1 by default): no change while |1 − ratio| ≤ 0.1', () => {
  it.each([
    { percent: 54, current: 10, expected: 10, why: 'ratio 1.08: inside' },
    { percent: 56, current: 10, expected: 12, why: 'ratio 1.12: ceil(11.2)' },
    { percent: 46, current: 10, expected: 10, why: 'ratio 0.92: inside' },
    { percent: 44, current: 10, expected: 9, why: 'ratio 0.88: ceil(8.8)' },
    { percent: 50, current: 10, expected: 10, why: 'at target' },
  ])(
    '$percent % of a 50 % target on $current pods → $expected ($why)',
    ({ percent, current, expected }) => {
      expect(cpu(50, podsAt(current, percent)).replicas).toBe(expected);
    },
  );

  it('the edge is inclusive: with tolerance 0.25 a ratio of exactly 1.25 or 0.75 changes nothing', () => {
    const tol = (pods: PodSample[]) =>
      proposeReplicas(cpuUtilization(40), { pods }, ctx(4, { tolerance: 0.25 }));
    expect(tol(podsAt(4, 50)).replicas).toBe(4);
    expect(tol(podsAt(4, 30)).replicas).toBe(4);
    expect(tol(podsAt(4, 51)).replicas).toBe(6);
  });

  it('1.1 has no exact binary form: |1 − 55/50| is 0.10000000000000009 > 0.1, so 55 % of 50 % scales (as in Kubernetes)', () => {
    expect(Math.abs(1 - 55 / 50) > 0.1).toBe(true);
    expect(cpu(50, podsAt(10, 55)).replicas).toBe(11);
  });

  it('a custom tolerance (the controller flag) widens or narrows the band', () => {
    const pods = podsAt(10, 56);
    expect(
      proposeReplicas(cpuUtilization(50), { pods }, ctx(10, { tolerance: 0.2 })).replicas,
    ).toBe(10);
    expect(
      proposeReplicas(cpuUtilization(50), { pods: podsAt(10, 51) }, ctx(10, { tolerance: 0 }))
        .replicas,
    ).toBe(11);
  });

  it('utilization is whole percent (the controller truncates): 54.9 % counts as 54 %', () => {
    const pods = Array.from({ length: 10 }, () => ({ value: 0.549, request: 1 }));
    expect(cpu(50, pods).currentValue).toBe(54);
    expect(cpu(50, pods).replicas).toBe(10);
  });
});

describe('missing metrics: 100 % of the target on a scale-down, 0 % on a scale-up', () => {
  const missing = (n: number): PodSample[] =>
    Array.from({ length: n }, (_, i) => ({ name: `new-${i}`, request: 0.2 }));

  it('scale-up: 4 pods at 100 % (target 50) and 4 without metrics → ratio 1.0 after counting them at 0 %: no change', () => {
    const proposal = cpu(50, [...podsAt(4, 100), ...missing(4)], 8);
    expect(proposal.replicas).toBe(8);
    expect(proposal.detail).toMatch(/within tolerance once 4 missing/);
  });

  it('scale-up: 4 pods at 150 % and 2 without metrics → ceil(6 × 100/50) = 12', () => {
    expect(cpu(50, [...podsAt(4, 150), ...missing(2)], 6).replicas).toBe(12);
  });

  it('scale-down: 4 pods at 10 % and 4 without metrics counted at the target → ceil(8 × 30/50) = 5', () => {
    // (4 × 10 + 4 × 50) / 8 = 30 % → ratio 0.6
    expect(cpu(50, [...podsAt(4, 10), ...missing(4)], 8).replicas).toBe(5);
  });

  it('without the missing pods the same numbers would scale further: 4 pods at 10 % alone → 1', () => {
    expect(cpu(50, podsAt(4, 10)).replicas).toBe(1);
  });
});

describe('unready pods (CPU): counted at 0 % on a scale-up, ignored on a scale-down', () => {
  it('scale-up: 2 ready at 200 % and 2 unready (target 50) → ceil(4 × 100/50) = 8, not 8 from 2 pods only', () => {
    const pods = [...podsAt(2, 200), ...podsAt(2, 300, { ready: false })];
    const proposal = cpu(50, pods, 4);
    expect(proposal.replicas).toBe(8);
    expect(proposal.currentValue).toBe(200); // the status reports the original average
  });

  it('scale-down: unready pods are left out (their busy CPU does not hold the count up)', () => {
    const pods = [...podsAt(4, 10), ...podsAt(2, 300, { ready: false })];
    expect(cpu(50, pods, 6).replicas).toBe(1); // ceil(0.2 × 4 ready)
  });

  it('a Pending pod is unready for any metric; a Failed or deleting pod is ignored', () => {
    const metric = podsMetric('tasks', 5);
    const pods: PodSample[] = [
      { value: 20 },
      { value: 20 },
      { phase: 'Pending', value: 0 },
      { phase: 'Failed', value: 0 },
      { deleting: true, value: 0 },
    ];
    // ratio 4 with 2 ready; the pending pod counts at 0 on a scale-up: mean 40/3 → ratio 2.67 × 3 = 8
    expect(proposeReplicas(metric, { pods }, ctx(5)).replicas).toBe(8);
  });

  it('ready: false does not set a pod aside for a non-CPU metric', () => {
    const pods: PodSample[] = [{ value: 20 }, { value: 20, ready: false }];
    expect(proposeReplicas(podsMetric('tasks', 5), { pods }, ctx(2)).replicas).toBe(8);
  });

  it('cpuSampleCounts: within 5 min of start only a sample taken wholly after readiness counts', () => {
    const pod = { startedAt: 0, ready: true, readyChangedAt: s(20), sampleWindowMs: s(30) };
    expect(cpuSampleCounts({ ...pod, sampleAt: s(40) }, s(40))).toBe(false); // began before ready
    expect(cpuSampleCounts({ ...pod, sampleAt: s(50) }, s(50))).toBe(true);
    expect(cpuSampleCounts({ ...pod, ready: false, sampleAt: s(90) }, s(90))).toBe(false);
    // after 5 min: unready counts as "not yet ready" only if it never became ready
    const late = { ...pod, ready: false, sampleAt: s(400) };
    expect(cpuSampleCounts({ ...late, readyChangedAt: s(10) }, s(400))).toBe(false);
    expect(cpuSampleCounts({ ...late, readyChangedAt: s(200) }, s(400))).toBe(true);
    expect(cpuSampleCounts({ ...late, startedAt: undefined }, s(400))).toBe(false);
  });
});

describe('no scaling when counting set-aside pods flips the direction', () => {
  it('ready pods say up (ratio 1.2) but a missing pod counted at 0 % makes it 0.8: no change', () => {
    const pods: PodSample[] = [...podsAt(2, 60), { name: 'new', request: 0.2 }];
    const proposal = cpu(50, pods, 3);
    expect(proposal.replicas).toBe(3);
    expect(proposal.detail).toMatch(/flips the direction/);
  });

  it('missing pods counted at the target pull a scale-down into the tolerance band: no change', () => {
    // Target AverageValue 10: 2 ready at 8 (ratio 0.8, down); 4 missing count at 10.
    const pods: PodSample[] = [{ value: 8 }, { value: 8 }, {}, {}, {}, {}];
    const proposal = proposeReplicas(podsMetric('tasks', 10), { pods }, ctx(6));
    // (8 + 8 + 4 × 10) / 6 = 9.33 → ratio 0.93, inside the tolerance: no change
    expect(proposal.replicas).toBe(6);
  });

  it('ready pods say up (ratio 1.2) but with unready pods at 0 % it becomes 0.8: no change', () => {
    const pods = [...podsAt(2, 60), ...podsAt(1, 0, { ready: false })];
    const proposal = cpu(50, pods, 3);
    expect(proposal.usageRatio).toBeCloseTo(1.2);
    expect(proposal.replicas).toBe(3);
    expect(proposal.detail).toMatch(/flips the direction/);
  });
});

describe('target types', () => {
  const value = (target: number) => external('depth', { value: target });

  it('Value (External/Object): ceil(value / target × ready pods)', () => {
    expect(proposeReplicas(value(100), { value: 300 }, ctx(2)).replicas).toBe(6);
    expect(proposeReplicas(value(100), { value: 300 }, ctx(4, { readyReplicas: 3 })).replicas).toBe(
      9,
    );
  });

  it('Value within the tolerance keeps the current count', () => {
    expect(proposeReplicas(value(100), { value: 105 }, ctx(7)).replicas).toBe(7);
  });

  it('AverageValue (External): ceil(total / per-pod target), divided by the pods that exist', () => {
    const metric = external('depth', { averageValue: 5 });
    expect(proposeReplicas(metric, { value: 42 }, ctx(2)).replicas).toBe(9);
    const inBand = proposeReplicas(metric, { value: 42 }, ctx(8));
    expect(inBand.replicas).toBe(8); // 42 / (5 × 8) = 1.05
    expect(inBand.currentValue).toBe(6); // ceil(42 / 8) per pod
  });

  it('a Utilization target on pods without a request cannot be computed', () => {
    const proposal = cpu(50, [{ value: 0.1 }, { value: 0.1, request: 0.2 }]);
    expect(proposal.replicas).toBeNull();
    expect(proposal.error).toMatch(/missing request/);
  });

  it('Resource AverageValue averages raw values (cores)', () => {
    const metric = {
      type: 'Resource' as const,
      resource: { name: 'memory', target: { type: 'AverageValue' as const, averageValue: 100 } },
    };
    expect(
      proposeReplicas(metric, { pods: [{ value: 300 }, { value: 100 }] }, ctx(2)).replicas,
    ).toBe(4);
  });
});

describe('scale from zero (minReplicas 0 with an External or Object metric)', () => {
  const spec = (metric: ReturnType<typeof external>): HpaSpec => ({
    minReplicas: 0,
    maxReplicas: 10,
    metrics: [metric],
    behavior: NO_BEHAVIOR,
  });

  it('Value target from 0 replicas: ceil(value / target)', () => {
    const { decision } = hpaStep(
      spec(external('depth', { value: 10 })),
      undefined,
      { currentReplicas: 0, metrics: [{ value: 25 }] },
      0,
    );
    expect(decision.desiredReplicas).toBe(3);
  });

  it('AverageValue target from 0 replicas: ceil(total / per pod); nothing waiting stays at 0', () => {
    const metric = external('depth', { averageValue: 5 });
    expect(
      hpaStep(spec(metric), undefined, { currentReplicas: 0, metrics: [{ value: 12 }] }, 0).decision
        .desiredReplicas,
    ).toBe(3);
    expect(
      hpaStep(spec(metric), undefined, { currentReplicas: 0, metrics: [{ value: 0 }] }, 0).decision
        .desiredReplicas,
    ).toBe(0);
  });

  it('minReplicas 0 without an External/Object metric is refused (ERR_INVALID_OPTION)', () => {
    expect(() =>
      hpaStep(
        { minReplicas: 0, maxReplicas: 3, metrics: [cpuUtilization(50)] },
        undefined,
        { currentReplicas: 1, metrics: [{ pods: podsAt(1, 50) }] },
        0,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_OPTION',
        message: expect.stringMatching(/spec\.minReplicas/),
      }),
    );
  });

  it('0 replicas with minReplicas ≥ 1: ScalingDisabled, nothing changes (how KEDA holds zero)', () => {
    const { decision } = hpaStep(
      { maxReplicas: 5, metrics: [external('depth', { averageValue: 5 })] },
      undefined,
      { currentReplicas: 0, metrics: [{ value: 50 }] },
      0,
    );
    expect(decision.desiredReplicas).toBe(0);
    expect(conditionOf(decision, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
    });
  });
});

describe('several metrics: the largest proposal wins; failed metrics never scale down', () => {
  const spec: HpaSpec = {
    maxReplicas: 20,
    metrics: [cpuUtilization(50), external('depth', { averageValue: 5 })],
    behavior: NO_BEHAVIOR,
  };
  const step = (current: number, metrics: MetricObservation[]) =>
    hpaStep(spec, undefined, { currentReplicas: current, metrics }, 0).decision;

  it('CPU wants 4, the queue wants 9 → 9', () => {
    const decision = step(2, [{ pods: podsAt(2, 100) }, { value: 45 }]);
    expect(decision.proposals.map((p) => p.replicas)).toEqual([4, 9]);
    expect(decision.desiredReplicas).toBe(9);
    expect(decision.reason).toMatch(/depth \(External, AverageValue 5\) above target/);
  });

  it('one metric failed and the other scales up → scale up', () => {
    const decision = step(2, [{ error: 'metrics-server unavailable' }, { value: 45 }]);
    expect(decision.desiredReplicas).toBe(9);
  });

  it('one metric failed and the other would scale down → no scaling, ScalingActive False', () => {
    const decision = step(6, [{ error: 'metrics-server unavailable' }, { value: 5 }]);
    expect(decision.desiredReplicas).toBe(6);
    expect(conditionOf(decision, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
    });
  });

  it('every metric failed → no scaling', () => {
    expect(step(6, [{ error: 'a' }, { error: 'b' }]).desiredReplicas).toBe(6);
  });

  it('observations that do not fit the metrics are an error (ERR_OBSERVATION_MISMATCH)', () => {
    expect(() => step(2, [{ value: 3 }, { value: 3 }])).toThrow(
      expect.objectContaining({ code: 'ERR_OBSERVATION_MISMATCH' }),
    );
    expect(() => step(2, [{ value: 3 }])).toThrow(
      expect.objectContaining({ code: 'ERR_OBSERVATION_MISMATCH' }),
    );
  });
});
