import type { HpaScalingPolicy } from '@workbook/session08';
import { describe, expect, it } from 'vitest';
import { scaleUpLimit } from '#ex/03-scale-up-limit/scale-up-limit.ts';

const s = (seconds: number) => seconds * 1000;
const defaults = {
  selectPolicy: 'Max' as const,
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ] satisfies HpaScalingPolicy[],
};
const only = (policy: HpaScalingPolicy) => ({ selectPolicy: 'Max' as const, policies: [policy] });

describe('08.3 scale-up rate limit', () => {
  it('the defaults: 4 pods or 100 % per 15 s, whichever is more', () => {
    expect(
      scaleUpLimit(1, [], defaults, s(0)),
      '🚨 from 1: Pods gives 5, Percent gives 2; Max → 5',
    ).toBe(5);
    expect(
      scaleUpLimit(10, [], defaults, s(0)),
      '🚨 from 10: Pods gives 14, Percent gives 20; Max → 20',
    ).toBe(20);
  });

  it('Percent rounds up, so a single pod can grow', () => {
    expect(
      scaleUpLimit(1, [], only({ type: 'Percent', value: 50, periodSeconds: 60 }), s(0)),
      '🚨 ceil(1 × 1.5) = 2',
    ).toBe(2);
    expect(
      scaleUpLimit(15, [], only({ type: 'Percent', value: 10, periodSeconds: 60 }), s(0)),
      '🚨 ceil(15 × 1.1) = ceil(16.5) = 17',
    ).toBe(17);
  });

  it('pods added within the period count against it: 4 per 60 s allows 4 in total, not 4 per sync', () => {
    const policy = only({ type: 'Pods', value: 4, periodSeconds: 60 });
    const events = [{ at: s(0), change: 4 }];
    expect(
      scaleUpLimit(5, events, policy, s(15)),
      '🚨 4 pods were added 15 s ago: the period started at 1, so the limit is 1 + 4 = 5',
    ).toBe(5);
    expect(
      scaleUpLimit(5, events, policy, s(59)),
      '🚨 still inside the 60 s period: no more pods yet',
    ).toBe(5);
    expect(
      scaleUpLimit(5, events, policy, s(60)),
      '🚨 the event is exactly 60 s old: out of the period, 5 + 4 = 9',
    ).toBe(9);
  });

  it('Percent starts from the count at the start of the period too', () => {
    const events = [
      { at: s(10), change: 3 },
      { at: s(40), change: 4 },
    ];
    // 12 now; 7 added in the last 60 s → the period started at 5 → ceil(5 × 2) = 10 < 12 → hold at 12
    expect(
      scaleUpLimit(12, events, only({ type: 'Percent', value: 100, periodSeconds: 60 }), s(50)),
      '🚨 periodStart 5 doubled is 10: no more than the 12 we have',
    ).toBe(12);
    // at 75 s only the second event is in the period: start 8 → 16
    expect(
      scaleUpLimit(12, events, only({ type: 'Percent', value: 100, periodSeconds: 60 }), s(75)),
      '🚨 periodStart = 12 − 4 = 8, doubled: 16',
    ).toBe(16);
  });

  it('selectPolicy Min takes the policy that allows the least change', () => {
    const rules = { ...defaults, selectPolicy: 'Min' as const };
    expect(scaleUpLimit(10, [], rules, s(0)), '🚨 Min: 14 (Pods) beats 20 (Percent)').toBe(14);
    expect(scaleUpLimit(1, [], rules, s(0)), '🚨 Min: 2 (Percent) beats 5 (Pods)').toBe(2);
  });

  it('selectPolicy Disabled allows no scale-up at all', () => {
    expect(
      scaleUpLimit(3, [], { ...defaults, selectPolicy: 'Disabled' }, s(0)),
      '🚨 Disabled: stay at current',
    ).toBe(3);
  });

  it('each policy looks at its own period', () => {
    const rules = {
      selectPolicy: 'Max' as const,
      policies: [
        { type: 'Pods', value: 2, periodSeconds: 10 },
        { type: 'Pods', value: 6, periodSeconds: 120 },
      ] satisfies HpaScalingPolicy[],
    };
    const events = [{ at: s(0), change: 5 }];
    // at 30 s: the 10 s policy sees nothing (start 8 → 10); the 120 s policy sees the 5 (start 3 → 9)
    expect(
      scaleUpLimit(8, events, rules, s(30)),
      '🚨 the short policy forgot the event, the long one did not: Max(10, 9) = 10',
    ).toBe(10);
  });
});
