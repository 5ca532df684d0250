/**
 * `spec.behavior` and the bounds: every policy type and selectPolicy, the stabilization
 * windows over sequences of recommendations (with a test clock), the defaults, clamping to
 * [min, max] and the ScalingLimited reasons.
 */
import { describe, expect, it } from 'vitest';
import {
  conditionOf,
  DEFAULT_BEHAVIOR,
  type HpaSpec,
  type HpaState,
  hpaStep,
  type ResolvedScalingRules,
  resolveHpaSpec,
  scaleDownLimit,
  scaleUpLimit,
  stabilize,
} from '../src/index.ts';
import { external, FREE, s } from './helpers.ts';

/** An External metric whose value IS the proposal (AverageValue 1 per pod). */
const queue = external('queue', { averageValue: 1 });
const ask = (replicas: number) => ({ value: replicas });

/** Replays a sequence of metric proposals, one sync every `everyS`, applying each decision. */
function replay(spec: HpaSpec, start: number, wanted: number[], everyS = 15) {
  let state: HpaState | undefined;
  let current = start;
  const seen: number[] = [];
  const reasons: string[] = [];
  wanted.forEach((w, i) => {
    const result = hpaStep(
      spec,
      state,
      { currentReplicas: current, metrics: [ask(w)] },
      s(i * everyS),
    );
    state = result.state;
    current = result.decision.desiredReplicas;
    seen.push(current);
    reasons.push(conditionOf(result.decision, 'ScalingLimited')?.reason ?? '-');
  });
  return { seen, reasons };
}

const rules = (
  policies: ResolvedScalingRules['policies'],
  selectPolicy: ResolvedScalingRules['selectPolicy'] = 'Max',
) => ({
  stabilizationWindowSeconds: 0,
  selectPolicy,
  policies,
});

describe('the documented defaults', () => {
  it('resolveHpaSpec fills minReplicas 1, CPU 80 %, and the default behavior', () => {
    const spec = resolveHpaSpec({ maxReplicas: 10 });
    expect(spec.minReplicas).toBe(1);
    expect(spec.metrics[0]).toMatchObject({
      type: 'Resource',
      resource: { name: 'cpu', target: { averageUtilization: 80 } },
    });
    expect(spec.behavior).toEqual(DEFAULT_BEHAVIOR);
  });

  it('a partial behavior keeps the other defaults (only the window changed)', () => {
    const spec = resolveHpaSpec({
      maxReplicas: 10,
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
    });
    expect(spec.behavior.scaleDown).toEqual({
      ...DEFAULT_BEHAVIOR.scaleDown,
      stabilizationWindowSeconds: 60,
    });
    expect(spec.behavior.scaleUp).toEqual(DEFAULT_BEHAVIOR.scaleUp);
  });

  it('default scale-up: 4 pods or 100 % per 15 s, whichever is more: 1 → 5 → 10 → 20 → 40', () => {
    const spec: HpaSpec = { maxReplicas: 100, metrics: [queue] };
    expect(replay(spec, 1, [100, 100, 100, 100]).seen).toEqual([5, 10, 20, 40]);
  });

  it('default scale-down: a 300 s window, then everything at once (100 % per 15 s)', () => {
    const spec: HpaSpec = { maxReplicas: 100, metrics: [queue] };
    // 40 replicas; the metric wants 2 from t = 0. The first sync seeds the window with 40.
    const wanted = Array.from({ length: 21 }, () => 2);
    const { seen } = replay(spec, 40, wanted);
    expect(seen.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => 40)); // t = 0..285 s
    expect(seen[20]).toBe(2); // t = 300 s: the seed is 300 s old, out of the window
  });

  it('the controller flag sets the default scale-down window when the spec has none', () => {
    const spec = resolveHpaSpec({ maxReplicas: 5 }, 60);
    expect(spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(60);
  });
});

describe('rate policies (Pods, Percent) and selectPolicy', () => {
  it('Pods: at most `value` pods per period', () => {
    expect(
      scaleUpLimit(10, [], [], rules([{ type: 'Pods', value: 3, periodSeconds: 60 }]), 0),
    ).toBe(13);
    expect(
      scaleDownLimit(10, [], [], rules([{ type: 'Pods', value: 3, periodSeconds: 60 }]), 0),
    ).toBe(7);
  });

  it('Percent: rounds up when adding, down when keeping', () => {
    const p = rules([{ type: 'Percent', value: 10, periodSeconds: 60 }]);
    expect(scaleUpLimit(15, [], [], p, 0)).toBe(17); // ceil(16.5)
    expect(scaleDownLimit(15, [], [], p, 0)).toBe(13); // trunc(13.5)
  });

  it('docs example: 80 replicas, 4 pods or 10 % per 60 s (Max) → 72 first; with 40 or fewer, 4 at a time', () => {
    const down = rules([
      { type: 'Pods', value: 4, periodSeconds: 60 },
      { type: 'Percent', value: 10, periodSeconds: 60 },
    ]);
    expect(scaleDownLimit(80, [], [], down, 0)).toBe(72);
    expect(scaleDownLimit(30, [], [], down, 0)).toBe(26);
  });

  it('selectPolicy Min picks the policy that changes the least; Disabled allows nothing', () => {
    const both = [
      { type: 'Pods' as const, value: 5, periodSeconds: 60 },
      { type: 'Percent' as const, value: 10, periodSeconds: 60 },
    ];
    expect(scaleDownLimit(80, [], [], rules(both, 'Min'), 0)).toBe(75);
    expect(scaleUpLimit(80, [], [], rules(both, 'Min'), 0)).toBe(85);
    expect(scaleUpLimit(80, [], [], rules(both, 'Max'), 0)).toBe(88);
    expect(scaleUpLimit(80, [], [], rules(both, 'Disabled'), 0)).toBe(80);
    expect(scaleDownLimit(80, [], [], rules(both, 'Disabled'), 0)).toBe(80);
  });

  it('a period counts the changes already made in it: 2 pods per 60 s allows 2 in total, not 2 per sync', () => {
    const spec: HpaSpec = {
      maxReplicas: 50,
      metrics: [queue],
      behavior: { scaleUp: rules([{ type: 'Pods', value: 2, periodSeconds: 60 }]) },
    };
    // syncs every 15 s asking for 20: +2 at t = 0, then nothing until t = 60 s has dropped it
    const { seen, reasons } = replay(spec, 1, [20, 20, 20, 20, 20, 20]);
    expect(seen).toEqual([3, 3, 3, 3, 5, 5]);
    expect(reasons[0]).toBe('ScaleUpLimit');
  });

  it('scaleDown policies limit the rate of a scale-down (ScaleDownLimit)', () => {
    const spec: HpaSpec = {
      maxReplicas: 50,
      metrics: [queue],
      behavior: { scaleDown: rules([{ type: 'Percent', value: 50, periodSeconds: 15 }]) },
    };
    const { seen, reasons } = replay(spec, 40, [1, 1, 1, 1, 1, 1, 1]);
    expect(seen).toEqual([20, 10, 5, 2, 1, 1, 1]);
    expect(reasons.slice(0, 4)).toEqual([
      'ScaleDownLimit',
      'ScaleDownLimit',
      'ScaleDownLimit',
      'ScaleDownLimit',
    ]);
  });

  it('selectPolicy Disabled on scaleDown: never scales down', () => {
    const spec: HpaSpec = {
      maxReplicas: 10,
      metrics: [queue],
      behavior: { scaleDown: { ...FREE, selectPolicy: 'Disabled' } },
    };
    expect(replay(spec, 8, [1, 1, 1]).seen).toEqual([8, 8, 8]);
  });
});

describe('stabilization windows over sequences of recommendations', () => {
  it('scale-down takes the highest recommendation of the window (a rolling maximum)', () => {
    const history = [
      { at: s(0), replicas: 9 },
      { at: s(20), replicas: 4 },
      { at: s(40), replicas: 6 },
    ];
    const down = { stabilizationWindowSeconds: 60 };
    const up = { stabilizationWindowSeconds: 0 };
    expect(stabilize(10, 3, history, s(50), up, down).replicas).toBe(9);
    expect(stabilize(10, 3, history, s(70), up, down).replicas).toBe(6); // the 9 is 70 s old
    expect(stabilize(10, 3, history, s(101), up, down).replicas).toBe(3);
  });

  it('scale-up with a window takes the lowest recommendation of the window', () => {
    const history = [
      { at: s(0), replicas: 4 },
      { at: s(10), replicas: 12 },
    ];
    const up = { stabilizationWindowSeconds: 30 };
    const down = { stabilizationWindowSeconds: 0 };
    expect(stabilize(2, 15, history, s(20), up, down)).toMatchObject({
      replicas: 4,
      reason: 'ScaleUpStabilized',
    });
    expect(stabilize(2, 15, history, s(35), up, down).replicas).toBe(12);
  });

  it('a flapping metric does not flap the replicas (default 300 s window)', () => {
    const spec: HpaSpec = { maxReplicas: 20, metrics: [queue], behavior: { scaleUp: FREE } };
    const wanted = [10, 3, 10, 2, 10, 3, 10, 2];
    const { seen } = replay(spec, 10, wanted);
    expect(seen).toEqual([10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it('the recommendation is recorded even when it is held back, and old entries are dropped', () => {
    const first = stabilize(
      5,
      2,
      [],
      s(0),
      { stabilizationWindowSeconds: 0 },
      { stabilizationWindowSeconds: 60 },
    );
    expect(first.recommendations).toEqual([{ at: 0, replicas: 2 }]);
    const later = stabilize(
      5,
      3,
      first.recommendations,
      s(61),
      { stabilizationWindowSeconds: 0 },
      { stabilizationWindowSeconds: 60 },
    );
    expect(later.recommendations).toEqual([{ at: s(61), replicas: 3 }]);
  });

  it('the condition says the window held it (ScaleDownStabilized) without rescaling', () => {
    const spec: HpaSpec = { maxReplicas: 20, metrics: [queue] };
    const { decision } = hpaStep(spec, undefined, { currentReplicas: 6, metrics: [ask(2)] }, 0);
    expect(decision.rescale).toBe(false);
    expect(conditionOf(decision, 'AbleToScale')?.reason).toBe('ScaleDownStabilized');
    expect(decision.reason).toMatch(
      /ScaleDownStabilized: 6 \(highest recommendation of the last 300 s\)/,
    );
  });
});

describe('clamping to [minReplicas, maxReplicas]', () => {
  const spec: HpaSpec = {
    minReplicas: 2,
    maxReplicas: 6,
    metrics: [queue],
    behavior: { scaleUp: FREE, scaleDown: FREE },
  };

  it('TooManyReplicas when max is the tighter bound, ScaleUpLimit when the rate is', () => {
    const high = hpaStep(spec, undefined, { currentReplicas: 4, metrics: [ask(30)] }, 0).decision;
    expect(high.desiredReplicas).toBe(6);
    expect(conditionOf(high, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
    });
    const rated = hpaStep(
      { ...spec, behavior: { scaleUp: rules([{ type: 'Pods', value: 1, periodSeconds: 15 }]) } },
      undefined,
      { currentReplicas: 4, metrics: [ask(30)] },
      0,
    ).decision;
    expect(rated.desiredReplicas).toBe(5);
    expect(conditionOf(rated, 'ScalingLimited')?.reason).toBe('ScaleUpLimit');
  });

  it('TooFewReplicas when min is the tighter bound', () => {
    const low = hpaStep(spec, undefined, { currentReplicas: 5, metrics: [ask(0)] }, 0).decision;
    expect(low.desiredReplicas).toBe(2);
    expect(conditionOf(low, 'ScalingLimited')?.reason).toBe('TooFewReplicas');
  });

  it('a target outside [min, max] is brought back at once, whatever the metrics say', () => {
    expect(
      hpaStep(spec, undefined, { currentReplicas: 9, metrics: [ask(9)] }, 0).decision,
    ).toMatchObject({
      desiredReplicas: 6,
      reason: 'Current number of replicas above Spec.MaxReplicas',
    });
    expect(
      hpaStep(spec, undefined, { currentReplicas: 1, metrics: [ask(1)] }, 0).decision
        .desiredReplicas,
    ).toBe(2);
  });

  it('bad specs are refused with the field named (ERR_INVALID_OPTION)', () => {
    expect(() => resolveHpaSpec({ maxReplicas: 0 })).toThrow(
      /Expected `spec.maxReplicas` to be an integer >= 1, got `0` \(number\)/,
    );
    expect(() => resolveHpaSpec({ minReplicas: 5, maxReplicas: 3 })).toThrow(/spec\.minReplicas/);
    expect(() =>
      resolveHpaSpec({
        maxReplicas: 3,
        behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } },
      }),
    ).toThrow(/periodSeconds/);
    expect(() =>
      resolveHpaSpec({
        maxReplicas: 3,
        metrics: [
          { type: 'Pods', pods: { metric: { name: 'x' }, target: { type: 'Value', value: 1 } } },
        ],
      }),
    ).toThrow(/target\.type/);
  });
});
