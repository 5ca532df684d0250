import { describe, expect, it } from 'vitest';
import { stabilizedReplicas } from '#ex/02-stabilization-window/stabilize.ts';

const s = (seconds: number) => seconds * 1000;
const defaults = { scaleUpSeconds: 0, scaleDownSeconds: 300 };

describe('08.2 stabilization window', () => {
  it('a scale-down takes the highest recommendation of the last 300 s', () => {
    const history = [
      { at: s(0), replicas: 6 },
      { at: s(100), replicas: 8 },
      { at: s(200), replicas: 3 },
    ];
    expect(
      stabilizedReplicas(10, 2, history, s(250), defaults),
      '🚨 scale-down window: the highest recent recommendation (8) wins, so only 2 of 10 pods go',
    ).toBe(8);
  });

  it('recommendations older than the window no longer count, and one exactly 300 s old is out', () => {
    const history = [
      { at: s(0), replicas: 9 },
      { at: s(150), replicas: 5 },
    ];
    expect(
      stabilizedReplicas(10, 2, history, s(299), defaults),
      '🚨 the 9 is 299 s old: still inside',
    ).toBe(9);
    expect(
      stabilizedReplicas(10, 2, history, s(300), defaults),
      '🚨 the 9 is exactly 300 s old: outside (at > now − window)',
    ).toBe(5);
    expect(
      stabilizedReplicas(10, 2, history, s(451), defaults),
      '🚨 everything is older than 300 s: desired (2) at once',
    ).toBe(2);
  });

  it('the windows are seconds, the times milliseconds', () => {
    const history = [{ at: s(0), replicas: 9 }];
    expect(
      stabilizedReplicas(10, 2, history, s(1), defaults),
      '🚨 a recommendation 1 s (1000 ms) old is inside a 300 s window: windows are in seconds, times in milliseconds (× 1000)',
    ).toBe(9);
  });

  it('replaying a draining queue: the count steps down only as high recommendations age out', () => {
    const history = [
      { at: s(0), replicas: 10 },
      { at: s(60), replicas: 7 },
      { at: s(120), replicas: 4 },
    ];
    const at = (t: number) => stabilizedReplicas(10, 1, history, s(t), defaults);
    expect(
      [at(200), at(310), at(370), at(430)],
      '🚨 the rolling maximum falls 10 → 7 → 4 → 1 as entries expire',
    ).toEqual([10, 7, 4, 1]);
  });

  it('with the default 0 s scale-up window a scale-up happens at once', () => {
    const history = [{ at: s(10), replicas: 2 }];
    expect(
      stabilizedReplicas(2, 9, history, s(20), defaults),
      '🚨 no scale-up window: go to 9 now',
    ).toBe(9);
  });

  it('a scale-up window takes the lowest recommendation in it', () => {
    const history = [
      { at: s(0), replicas: 4 },
      { at: s(20), replicas: 12 },
    ];
    const windows = { scaleUpSeconds: 60, scaleDownSeconds: 300 };
    expect(
      stabilizedReplicas(2, 15, history, s(30), windows),
      '🚨 scale-up window: the lowest recent recommendation (4)',
    ).toBe(4);
    expect(
      stabilizedReplicas(2, 15, history, s(60), windows),
      '🚨 the 4 is exactly 60 s old: outside the scale-up window too (at > now − window), so the lowest is 12',
    ).toBe(12);
    expect(
      stabilizedReplicas(2, 15, history, s(70), windows),
      '🚨 the 4 aged out: now the lowest is 12',
    ).toBe(12);
  });

  it('a window can hold a scale-down, never turn it into a scale-up', () => {
    // 3 run now; 8 was wanted a minute ago (the rate policies never allowed it); 2 are wanted now.
    const history = [{ at: s(60), replicas: 8 }];
    expect(
      stabilizedReplicas(3, 2, history, s(120), defaults),
      '🚨 lower current to the window maximum, do not jump to it: 3 stays 3 (never 8)',
    ).toBe(3);
  });

  it('with no history and no windows, the desired count passes through', () => {
    expect(
      stabilizedReplicas(5, 2, [], s(0), { scaleUpSeconds: 0, scaleDownSeconds: 0 }),
      '🚨 no history: desired itself counts in both windows, so 5 running and 2 wanted gives 2',
    ).toBe(2);
    expect(
      stabilizedReplicas(5, 7, [], s(0), { scaleUpSeconds: 0, scaleDownSeconds: 0 }),
      '🚨 no history: desired itself counts in both windows, so 5 running and 7 wanted gives 7',
    ).toBe(7);
    expect(
      stabilizedReplicas(5, 2, [], s(0), defaults),
      '🚨 no history with the default windows: desired itself counts in both windows, 2',
    ).toBe(2);
  });
});
