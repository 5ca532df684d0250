/**
 * KEDA's Redis list scaler and ScaledObject: defaults, activation (strictly greater),
 * ceil(length / listLength) through the HPA KEDA creates, and the cooldown to zero — on a test
 * clock.
 */
import { describe, expect, it } from 'vitest';
import {
  hpaStep,
  initialKedaState,
  KEDA_DEFAULTS,
  kedaHpaSpec,
  kedaPoll,
  parseRedisListTrigger,
  redisListIsActive,
  redisListReplicas,
  resolveScaledObject,
  ScaledObjectController,
  type ScaledObjectSpec,
} from '../src/index.ts';
import { s } from './helpers.ts';

const LIST = 'imgq:{images}:pending';
const scaledObject = (
  extra: Partial<ScaledObjectSpec> = {},
  metadata: Record<string, string> = {},
): ScaledObjectSpec => ({
  scaleTargetRef: { name: 'imgq-worker' },
  triggers: [{ type: 'redis', metadata: { address: 'redis:6379', listName: LIST, ...metadata } }],
  ...extra,
});

describe('the redis trigger', () => {
  it('defaults: listLength 5, activationListLength 0; numbers may be strings as in YAML', () => {
    expect(parseRedisListTrigger({ listName: LIST })).toEqual({
      listName: LIST,
      listLength: 5,
      activationListLength: 0,
    });
    expect(
      parseRedisListTrigger({ listName: LIST, listLength: '10', activationListLength: '3' }),
    ).toMatchObject({
      listLength: 10,
      activationListLength: 3,
    });
  });

  it('bad metadata is refused with the field named', () => {
    expect(() => parseRedisListTrigger({ listName: '' })).toThrow(/metadata\.listName/);
    expect(() => parseRedisListTrigger({ listName: LIST, listLength: 'ten' })).toThrow(
      /metadata\.listLength/,
    );
    expect(() => parseRedisListTrigger({ listName: LIST, listLength: '0' })).toThrow(
      /metadata\.listLength/,
    );
  });

  it.each([
    { length: 0, activation: 0, active: false },
    { length: 1, activation: 0, active: true },
    { length: 5, activation: 5, active: false },
    { length: 6, activation: 5, active: true },
  ])(
    'length $length with activation $activation → active: $active (strictly greater)',
    ({ length, activation, active }) => {
      expect(redisListIsActive(length, { activationListLength: activation })).toBe(active);
    },
  );

  it.each([
    [0, 0],
    [1, 1],
    [5, 1],
    [6, 2],
    [42, 9],
  ])('ceil(%i / 5) = %i', (length, replicas) => {
    expect(redisListReplicas(length, { listLength: 5 })).toBe(replicas);
  });
});

describe('the HPA KEDA creates', () => {
  it('minReplicas max(1, minReplicaCount), maxReplicaCount, one External AverageValue metric', () => {
    expect(kedaHpaSpec(scaledObject({ maxReplicaCount: 8 }))).toEqual({
      minReplicas: 1,
      maxReplicas: 8,
      metrics: [
        {
          type: 'External',
          external: {
            metric: { name: `s0-redis-${LIST}` },
            target: { type: 'AverageValue', averageValue: 5 },
          },
        },
      ],
    });
    expect(kedaHpaSpec(scaledObject({ minReplicaCount: 2 })).minReplicas).toBe(2);
  });

  it('from N replicas it converges on ceil(length / listLength)', () => {
    const spec = kedaHpaSpec(scaledObject({ maxReplicaCount: 20 }, { listLength: '4' }));
    const { decision } = hpaStep(
      spec,
      undefined,
      { currentReplicas: 3, metrics: [{ value: 30 }] },
      0,
    );
    expect(decision.metricReplicas).toBe(8); // ceil(30 / 4)
    expect(decision.desiredReplicas).toBe(7); // the default scale-up policy: 3 + 4
  });

  it("the ScaledObject's behavior is passed to the HPA", () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 30 } };
    expect(
      kedaHpaSpec(scaledObject({ advanced: { horizontalPodAutoscalerConfig: { behavior } } }))
        .behavior,
    ).toEqual(behavior);
  });

  it('KEDA defaults: polling 30 s, cooldown 300 s, min 0, max 100; only redis triggers are modelled', () => {
    expect(resolveScaledObject(scaledObject())).toMatchObject({
      ...KEDA_DEFAULTS,
      targetName: 'imgq-worker',
    });
    expect(() =>
      resolveScaledObject({
        ...scaledObject(),
        triggers: [{ type: 'kafka', metadata: { listName: 'x' } }],
      }),
    ).toThrow(/`redis`/);
  });
});

describe('activation and the cooldown to zero (KEDA operator)', () => {
  const so = resolveScaledObject(scaledObject());

  it('0 replicas and a waiting task → KEDA scales to 1; the HPA takes it from there', () => {
    const { decision } = kedaPoll(so, initialKedaState(0), [3], 0, s(1));
    expect(decision).toMatchObject({ active: true, scaleTo: 1 });
    expect(kedaPoll(so, initialKedaState(0), [3], 4, s(1)).decision.scaleTo).toBeNull();
  });

  it('an empty list at 0 replicas stays at 0; activationListLength holds small queues at 0', () => {
    expect(kedaPoll(so, initialKedaState(0), [0], 0, s(1)).decision.scaleTo).toBeNull();
    const picky = resolveScaledObject(scaledObject({}, { activationListLength: '10' }));
    expect(kedaPoll(picky, initialKedaState(0), [10], 0, s(1)).decision.scaleTo).toBeNull();
    expect(kedaPoll(picky, initialKedaState(0), [11], 0, s(1)).decision.scaleTo).toBe(1);
  });

  it('back to 0 only after cooldownPeriod without activity', () => {
    let state = kedaPoll(so, initialKedaState(0), [7], 2, s(0)).state; // active at t = 0
    const at = (t: number) => kedaPoll(so, state, [0], 2, s(t));
    expect(at(30).decision.scaleTo).toBeNull();
    expect(at(300).decision.scaleTo).toBeNull(); // exactly 300 s: not yet
    expect(at(301).decision).toMatchObject({
      scaleTo: 0,
      reason: expect.stringMatching(/cooldown/),
    });
    // activity in between restarts the cooldown
    state = kedaPoll(so, state, [1], 2, s(200)).state;
    expect(at(301).decision.scaleTo).toBeNull();
    expect(at(501).decision.scaleTo).toBe(0);
  });

  it('minReplicaCount ≥ 1: never to zero, the HPA keeps the minimum', () => {
    const one = resolveScaledObject(scaledObject({ minReplicaCount: 1 }));
    const state = kedaPoll(one, initialKedaState(0), [7], 3, 0).state;
    expect(kedaPoll(one, state, [0], 3, s(1000)).decision.scaleTo).toBeNull();
  });
});

describe('ScaledObjectController: KEDA and the HPA on one clock', () => {
  it('a burst from zero: 0 → 5 (KEDA activates, the HPA rate allows 5) → 9; 300 s after the last 9, down to 1; then 0 by KEDA', () => {
    const spec = scaledObject({ maxReplicaCount: 10, pollingInterval: 30, cooldownPeriod: 300 });
    const controller = new ScaledObjectController(spec, 0);
    let replicas = 0;
    const timeline: string[] = [];
    const at = (t: number, length: number) => {
      const step = controller.step({ lengths: [length], currentReplicas: replicas }, s(t));
      if (step.changed)
        timeline.push(`${t}s ${replicas}→${step.desiredReplicas} by ${step.source}`);
      replicas = step.desiredReplicas;
    };
    at(0, 0); // nothing waiting
    at(15, 0);
    at(30, 45); // KEDA activates (its poll) and the HPA syncs at once: 1 → 5 by the rate policy
    at(45, 45);
    at(60, 0);
    for (let t = 75; t <= 720; t += 15) at(t, 0);
    expect(timeline).toEqual([
      '30s 0→5 by hpa',
      '45s 5→9 by hpa',
      '345s 9→1 by hpa',
      '360s 1→0 by keda',
    ]);
  });
});
