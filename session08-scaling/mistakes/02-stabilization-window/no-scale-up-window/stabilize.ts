import type { TimedRecommendation } from '@workbook/session08';

/** The two windows, in seconds (`behavior.scaleUp/scaleDown.stabilizationWindowSeconds`). */
export interface Windows {
  /** @default 0 in Kubernetes */
  scaleUpSeconds: number;
  /** @default 300 in Kubernetes */
  scaleDownSeconds: number;
}

/**
 * The replica count after the stabilization windows: `current` raised to the lowest
 * recommendation of the scale-up window, lowered to the highest of the scale-down window
 * (`desired` counts in both; a recommendation is in a window when `at > now − seconds × 1000`).
 *
 * @example
 * // 8 wanted 100 s ago, 2 now, 300 s scale-down window, 10 running → 8
 * stabilizedReplicas(10, 2, [{ at: 0, replicas: 8 }], 100_000, { scaleUpSeconds: 0, scaleDownSeconds: 300 })
 */
export function stabilizedReplicas(
  current: number,
  desired: number,
  history: readonly TimedRecommendation[],
  now: number,
  windows: Windows,
): number {
  const downCutoff = now - windows.scaleDownSeconds * 1000;
  const up = desired;
  let down = desired;
  for (const rec of history) {
    if (rec.at > downCutoff) down = Math.max(down, rec.replicas);
  }
  return Math.min(Math.max(current, up), down);
}
