import { checkNumber } from '@workbook/session01';

/** What the HPA compares for one metric. */
export interface ReplicaInput {
  /** Pods running now. */
  currentReplicas: number;
  /** What they measure (e.g. 90 for 90 % CPU, or 40 tasks waiting per pod). */
  currentMetricValue: number;
  /** The target (e.g. 75 for 75 % CPU). Must be > 0. */
  desiredMetricValue: number;
  /** No change while |1 − ratio| ≤ tolerance. @default 0.1 */
  tolerance?: number;
}

/**
 * The replica count the HPA asks for: `ceil(current × currentValue / desiredValue)`, or the
 * current count when the ratio is within the tolerance of 1.
 *
 * @example desiredReplicas({ currentReplicas: 50, currentMetricValue: 90, desiredMetricValue: 75 }) // 60
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `desiredMetricValue` is not a number > 0.
 */
export function desiredReplicas(input: ReplicaInput): number {
  const { currentReplicas, currentMetricValue, tolerance = 0.1 } = input;
  const desired = checkNumber('desiredMetricValue', input.desiredMetricValue, {
    min: Number.MIN_VALUE,
  });
  const ratio = desired / currentMetricValue;
  if (Math.abs(1 - ratio) <= tolerance) return currentReplicas;
  return Math.ceil(currentReplicas * ratio);
}
