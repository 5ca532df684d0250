import { describe, expect, it } from 'vitest';
import { kedaReplicas } from '#ex/04-keda-activation/keda.ts';

const s = (seconds: number) => seconds * 1000;
const poll = (
  length: number,
  currentReplicas: number,
  lastActiveAt: number | null,
  now: number,
) => ({
  length,
  currentReplicas,
  lastActiveAt,
  now,
});

describe('08.4 KEDA activation and scale to zero', () => {
  it('work arriving at zero replicas activates the workload: ceil(length / 5)', () => {
    expect(
      kedaReplicas(poll(12, 0, null, s(0)), {}),
      '🚨 12 waiting > activation 0: active, ceil(12 / 5) = 3',
    ).toEqual({
      active: true,
      replicas: 3,
      lastActiveAt: s(0),
    });
    expect(
      kedaReplicas(poll(1, 0, null, s(0)), {}).replicas,
      '🚨 one waiting task is enough to wake one worker',
    ).toBe(1);
  });

  it('an empty list is never active (strictly greater than activationListLength 0)', () => {
    const result = kedaReplicas(poll(0, 0, null, s(5)), {});
    expect(result.active, '🚨 length 0 is not > 0: inactive').toBe(false);
    expect(result.replicas, '🚨 nothing waiting at zero replicas: stay at zero').toBe(0);
    expect(result.lastActiveAt, '🚨 an inactive poll does not move lastActiveAt').toBeNull();
  });

  it('every active poll moves lastActiveAt to now (the cooldown counts from the LAST activity)', () => {
    expect(
      kedaReplicas(poll(7, 2, s(30), s(90)), {}).lastActiveAt,
      '🚨 an active poll sets lastActiveAt = now (90 s), not the first activation (30 s)',
    ).toBe(s(90));
    expect(
      kedaReplicas(poll(0, 2, s(30), s(90)), {}).lastActiveAt,
      '🚨 an inactive poll keeps lastActiveAt as it was',
    ).toBe(s(30));
  });

  it('at zero replicas, an inactive list stays at zero, even within the cooldown', () => {
    expect(
      kedaReplicas(poll(0, 0, s(100), s(130)), {}).replicas,
      '🚨 at zero replicas with nothing to do: stay at zero (the cooldown only delays going DOWN to zero)',
    ).toBe(0);
  });

  it('never active, with workers running: to zero at once (there is no cooldown to wait for)', () => {
    expect(
      kedaReplicas(poll(0, 2, null, s(10)), {}).replicas,
      '🚨 never active (lastActiveAt null) with workers running: scale to zero at once',
    ).toBe(0);
  });

  it('activationListLength holds small queues at zero: active only above it', () => {
    const spec = { activationListLength: 10 };
    expect(
      kedaReplicas(poll(10, 0, null, s(0)), spec).replicas,
      '🚨 10 is not > 10: stay at zero',
    ).toBe(0);
    expect(
      kedaReplicas(poll(11, 0, null, s(0)), spec).replicas,
      '🚨 11 > 10: wake up, ceil(11 / 5) = 3',
    ).toBe(3);
  });

  it('listLength and maxReplicaCount shape the count while active', () => {
    expect(
      kedaReplicas(poll(42, 2, s(0), s(10)), { listLength: 10 }).replicas,
      '🚨 ceil(42 / 10) = 5',
    ).toBe(5);
    expect(
      kedaReplicas(poll(500, 2, s(0), s(10)), { maxReplicaCount: 8 }).replicas,
      '🚨 capped at maxReplicaCount',
    ).toBe(8);
  });

  it('scale to zero only after the cooldown since the list was last active', () => {
    const lastActive = s(100);
    expect(
      kedaReplicas(poll(0, 3, lastActive, s(200)), {}).replicas,
      '🚨 100 s quiet < 300 s cooldown: keep one worker',
    ).toBe(1);
    expect(
      kedaReplicas(poll(0, 3, lastActive, s(400)), {}).replicas,
      '🚨 exactly 300 s quiet: not MORE than the cooldown yet',
    ).toBe(1);
    expect(
      kedaReplicas(poll(0, 3, lastActive, s(401)), {}).replicas,
      '🚨 more than 300 s since the list was last active: to zero',
    ).toBe(0);
    expect(
      kedaReplicas(poll(0, 3, lastActive, s(200)), { cooldownPeriodSeconds: 60 }).replicas,
      '🚨 a 60 s cooldown: to zero',
    ).toBe(0);
  });

  it('a replayed burst: wake, scale, drain, cool down, sleep', () => {
    let last: number | null = null;
    let replicas = 0;
    const seen: number[] = [];
    for (const [t, length] of [
      [0, 0],
      [30, 20],
      [60, 8],
      [90, 0],
      [120, 0],
      [360, 0],
      [361, 0],
    ] as const) {
      const result = kedaReplicas(poll(length, replicas, last, s(t)), {
        cooldownPeriodSeconds: 300,
      });
      last = result.lastActiveAt;
      replicas = result.replicas;
      seen.push(replicas);
    }
    expect(
      seen,
      '🚨 0 → 4 → 2 → 1 while cooling down → 0 once MORE than 300 s have passed since t = 60 (the last active poll)',
    ).toEqual([0, 4, 2, 1, 1, 1, 0]);
  });

  it('during the cooldown, a list below the activation length keeps its workers, capped at maxReplicaCount', () => {
    const spec = { activationListLength: 100, maxReplicaCount: 4 };
    expect(
      kedaReplicas(poll(50, 3, s(100), s(150)), spec).replicas,
      '🚨 not active (50 ≤ 100), cooling down: ceil(50 / 5) = 10, capped at maxReplicaCount 4',
    ).toBe(4);
  });

  it('minReplicaCount ≥ 1 is a floor: never to zero, and not below it while active', () => {
    expect(
      kedaReplicas(poll(0, 2, s(0), s(10_000)), { minReplicaCount: 2 }).replicas,
      '🚨 min 2: the HPA keeps 2, KEDA never takes them to zero',
    ).toBe(2);
    expect(
      kedaReplicas(poll(3, 2, s(0), s(10)), { minReplicaCount: 4 }).replicas,
      '🚨 active with 3 waiting: ceil(3 / 5) = 1, but minReplicaCount 4 is the floor while active too → 4',
    ).toBe(4);
  });
});
