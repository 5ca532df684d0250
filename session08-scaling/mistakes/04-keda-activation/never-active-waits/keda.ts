/** What KEDA reads at one poll. */
export interface KedaInput {
  /** LLEN of the list (the tasks waiting). */
  length: number;
  /** Replicas running now. */
  currentReplicas: number;
  /** When the list was last active (ms), or `null` if never. */
  lastActiveAt: number | null;
  /** Now (ms). */
  now: number;
}

/** The ScaledObject settings that matter here (KEDA's defaults apply when unset). */
export interface KedaSpec {
  /** Target list length per replica. @default 5 */
  listLength?: number;
  /** Active when the length is strictly greater. @default 0 */
  activationListLength?: number;
  /** Seconds without activity before scaling to zero. @default 300 */
  cooldownPeriodSeconds?: number;
  /** @default 0 */
  minReplicaCount?: number;
  /** @default 100 */
  maxReplicaCount?: number;
}

/** What KEDA and its HPA settle on. */
export interface KedaResult {
  active: boolean;
  replicas: number;
  lastActiveAt: number | null;
}

/**
 * The replica count KEDA (0 ↔ 1) and its HPA (1 ↔ N) settle on for a Redis list, without the
 * HPA's rate limits and windows: activation when the length is strictly greater than
 * `activationListLength`, `ceil(length / listLength)` while there is work, and zero once the
 * list has been inactive for longer than the cooldown (only with `minReplicaCount` 0).
 *
 * @example kedaReplicas({ length: 12, currentReplicas: 0, lastActiveAt: null, now: 0 }, {})
 * // { active: true, replicas: 3, lastActiveAt: 0 }
 */
export function kedaReplicas(input: KedaInput, spec: KedaSpec): KedaResult {
  const {
    listLength = 5,
    activationListLength = 0,
    cooldownPeriodSeconds = 300,
    minReplicaCount: min = 0,
    maxReplicaCount: max = 100,
  } = spec;
  const { length, currentReplicas, now } = input;
  const active = length > activationListLength;
  const lastActiveAt = active ? now : input.lastActiveAt;
  const clamp = (n: number, lo: number) => Math.min(max, Math.max(lo, n));
  const wanted = Math.ceil(length / listLength);
  if (active) return { active, lastActiveAt, replicas: clamp(wanted, Math.max(1, min)) };
  if (min > 0) return { active, lastActiveAt, replicas: clamp(wanted, min) };
  if (currentReplicas === 0) return { active, lastActiveAt, replicas: 0 };
  const cooled = lastActiveAt !== null && now - lastActiveAt > cooldownPeriodSeconds * 1000;
  return { active, lastActiveAt, replicas: cooled ? 0 : clamp(wanted, 1) };
}
