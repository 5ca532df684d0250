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
  // 🐨 1. Defaults: listLength 5, activationListLength 0, cooldownPeriodSeconds 300,
  //       minReplicaCount 0, maxReplicaCount 100.
  // 🐨 2. active: is the list longer than the activation length? lastActiveAt = now when active.
  // 🐨 3. Active → ceil(length / listLength) between max(1, min) and max.
  // 🐨 4. Inactive with min > 0 → the same formula between min and max.
  // 🐨 5. Inactive with min 0: at 0 stay at 0; otherwise 0 once the cooldown has passed since
  //       lastActiveAt (or never active), else max(1, ceil(length / listLength)) capped at max.
  void input;
  void spec;
  throw new Error('🐨 TODO (08.4): decide the replicas with activation and the cooldown to zero');
}
