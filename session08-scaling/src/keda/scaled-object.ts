/**
 * A KEDA ScaledObject with `redis` triggers, as two cooperating controllers (KEDA docs,
 * "Activating and Scaling thresholds"):
 *
 * - KEDA's operator polls every `pollingInterval` (30 s) and owns 0 ↔ 1: it activates the
 *   workload when a trigger is active, and scales it back to 0 once no trigger has been active
 *   for `cooldownPeriod` (300 s) — only when `minReplicaCount` is 0;
 * - the HPA KEDA creates (minReplicas = max(1, minReplicaCount), maxReplicas =
 *   maxReplicaCount, one External AverageValue metric per trigger, the ScaledObject's
 *   `advanced.horizontalPodAutoscalerConfig.behavior`) owns 1 ↔ N. At 0 replicas the HPA is
 *   "ScalingDisabled", which is what lets KEDA hold the workload at zero.
 */
import { checkInteger, describeValue, InvalidOptionError } from '@workbook/session01';
import type { HpaBehavior, HpaSpec } from '../hpa/types.ts';
import {
  parseRedisListTrigger,
  type RedisListTrigger,
  type RedisListTriggerMetadata,
  redisListIsActive,
  redisListMetricSpec,
} from './redis-list-scaler.ts';

/** KEDA's defaults, from the ScaledObject specification. */
export const KEDA_DEFAULTS = {
  /** Seconds between two checks of the triggers. */
  pollingInterval: 30,
  /** Seconds without an active trigger before scaling to zero. */
  cooldownPeriod: 300,
  /** Seconds after creation before the cooldown may start. */
  initialCooldownPeriod: 0,
  minReplicaCount: 0,
  maxReplicaCount: 100,
} as const;

/** The `spec` of a ScaledObject (the fields the model uses; the rest is KEDA's). */
export interface ScaledObjectSpec {
  scaleTargetRef: { name: string; kind?: string; apiVersion?: string };
  /** @default 30 */
  pollingInterval?: number;
  /** @default 300 */
  cooldownPeriod?: number;
  /** @default 0 */
  initialCooldownPeriod?: number;
  /** @default 0 */
  minReplicaCount?: number;
  /** @default 100 */
  maxReplicaCount?: number;
  advanced?: { horizontalPodAutoscalerConfig?: { name?: string; behavior?: HpaBehavior } };
  triggers: Array<{ type: string; name?: string; metadata: RedisListTriggerMetadata }>;
}

/** A checked ScaledObject with its defaults. */
export interface ResolvedScaledObject {
  targetName: string;
  pollingInterval: number;
  cooldownPeriod: number;
  initialCooldownPeriod: number;
  minReplicaCount: number;
  maxReplicaCount: number;
  behavior: HpaBehavior | undefined;
  triggers: RedisListTrigger[];
}

/**
 * Checks a ScaledObject spec and fills in KEDA's defaults.
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION`: no target name, no trigger, a trigger type
 * other than `redis` (the only scaler modelled here), bad counts or durations.
 */
export function resolveScaledObject(spec: ScaledObjectSpec): ResolvedScaledObject {
  const targetName = spec?.scaleTargetRef?.name;
  if (typeof targetName !== 'string' || targetName === '') {
    throw new InvalidOptionError(
      `Expected \`spec.scaleTargetRef.name\` to name a Deployment, got ${describeValue(targetName)}`,
    );
  }
  if (!Array.isArray(spec.triggers) || spec.triggers.length === 0) {
    throw new InvalidOptionError(
      `Expected \`spec.triggers\` to be a non-empty array, got ${describeValue(spec.triggers)}`,
    );
  }
  const triggers = spec.triggers.map((trigger, index) => {
    if (trigger?.type !== 'redis') {
      throw new InvalidOptionError(
        `Expected \`spec.triggers[${index}].type\` to be \`redis\` (the Redis list scaler is the one modelled here), got ${describeValue(trigger?.type)}`,
      );
    }
    return parseRedisListTrigger(trigger.metadata);
  });
  const maxReplicaCount = checkInteger(
    'spec.maxReplicaCount',
    spec.maxReplicaCount ?? KEDA_DEFAULTS.maxReplicaCount,
    { min: 1 },
  );
  return {
    targetName,
    pollingInterval: checkInteger(
      'spec.pollingInterval',
      spec.pollingInterval ?? KEDA_DEFAULTS.pollingInterval,
      { min: 1 },
    ),
    cooldownPeriod: checkInteger(
      'spec.cooldownPeriod',
      spec.cooldownPeriod ?? KEDA_DEFAULTS.cooldownPeriod,
      { min: 0 },
    ),
    initialCooldownPeriod: checkInteger(
      'spec.initialCooldownPeriod',
      spec.initialCooldownPeriod ?? KEDA_DEFAULTS.initialCooldownPeriod,
      { min: 0 },
    ),
    minReplicaCount: checkInteger(
      'spec.minReplicaCount',
      spec.minReplicaCount ?? KEDA_DEFAULTS.minReplicaCount,
      {
        min: 0,
        max: maxReplicaCount,
      },
    ),
    maxReplicaCount,
    behavior: spec.advanced?.horizontalPodAutoscalerConfig?.behavior,
    triggers,
  };
}

/**
 * The HPA KEDA creates for a ScaledObject: minReplicas max(1, minReplicaCount) (zero is KEDA's
 * job), the ScaledObject's max and behavior, one External AverageValue metric per trigger.
 */
export function kedaHpaSpec(scaledObject: ScaledObjectSpec | ResolvedScaledObject): HpaSpec {
  const so = 'targetName' in scaledObject ? scaledObject : resolveScaledObject(scaledObject);
  return {
    minReplicas: Math.max(1, so.minReplicaCount),
    maxReplicas: so.maxReplicaCount,
    metrics: so.triggers.map((trigger, index) => redisListMetricSpec(trigger, index)),
    ...(so.behavior ? { behavior: so.behavior } : {}),
  };
}

/** What KEDA's operator remembers. */
export interface KedaState {
  /** When the ScaledObject was created (ms). */
  createdAt: number;
  /** When a trigger was last seen active (ms), or `null` (never since creation). */
  lastActiveAt: number | null;
}

/** What one KEDA poll concludes. */
export interface KedaDecision {
  at: number;
  /** Whether any trigger is active. */
  active: boolean;
  /** The replica count KEDA sets, or `null` when it leaves the count to the HPA. */
  scaleTo: number | null;
  /** One line: why. */
  reason: string;
}

/**
 * One poll of KEDA's operator (every `pollingInterval`): activation from zero, and the
 * cooldown back to zero. Between 1 and N it does nothing (`scaleTo: null`): that is the HPA's.
 *
 * @param lengths the length of each trigger's list, in trigger order
 * @example
 * kedaPoll(so, { createdAt: 0, lastActiveAt: null }, [12], 0, 1_000).decision.scaleTo // 1
 */
export function kedaPoll(
  scaledObject: ResolvedScaledObject,
  state: KedaState,
  lengths: readonly number[],
  currentReplicas: number,
  now: number,
): { decision: KedaDecision; state: KedaState } {
  const activeIndex = scaledObject.triggers.findIndex((t, i) =>
    redisListIsActive(lengths[i] ?? 0, t),
  );
  const active = activeIndex !== -1;
  const describe = (i: number) =>
    `list length ${lengths[i] ?? 0} ${active ? '>' : '≤'} activation ${scaledObject.triggers[i]!.activationListLength}`;
  const { minReplicaCount, cooldownPeriod, initialCooldownPeriod } = scaledObject;
  if (active) {
    const next = { ...state, lastActiveAt: now };
    if (currentReplicas === 0) {
      const to = Math.max(1, minReplicaCount);
      return {
        decision: {
          at: now,
          active,
          scaleTo: to,
          reason: `activated: ${describe(activeIndex)} → ${to}`,
        },
        state: next,
      };
    }
    return {
      decision: {
        at: now,
        active,
        scaleTo: null,
        reason: `active (${describe(activeIndex)}): the HPA scales 1..N`,
      },
      state: next,
    };
  }
  if (currentReplicas < minReplicaCount) {
    return {
      decision: {
        at: now,
        active,
        scaleTo: minReplicaCount,
        reason: `below minReplicaCount ${minReplicaCount}`,
      },
      state,
    };
  }
  if (currentReplicas === 0 || minReplicaCount > 0) {
    const why =
      currentReplicas === 0
        ? 'idle at zero'
        : `inactive; minReplicaCount ${minReplicaCount} keeps the HPA in charge`;
    return {
      decision: { at: now, active, scaleTo: null, reason: `${why} (${describe(0)})` },
      state,
    };
  }
  const cooldownFrom = Math.max(
    state.lastActiveAt ?? -Infinity,
    state.createdAt + initialCooldownPeriod * 1000,
  );
  const quietFor = now - cooldownFrom;
  if (state.lastActiveAt === null && now >= state.createdAt + initialCooldownPeriod * 1000) {
    // Never active since creation: straight to minReplicaCount (the cooldown follows activity).
    return {
      decision: {
        at: now,
        active,
        scaleTo: 0,
        reason: 'never active since creation: to minReplicaCount 0',
      },
      state,
    };
  }
  if (quietFor > cooldownPeriod * 1000) {
    return {
      decision: {
        at: now,
        active,
        scaleTo: 0,
        reason: `cooldown: inactive for ${Math.round(quietFor / 1000)} s > ${cooldownPeriod} s → 0`,
      },
      state,
    };
  }
  const left = Math.max(0, Math.ceil((cooldownPeriod * 1000 - quietFor) / 1000));
  return {
    decision: {
      at: now,
      active,
      scaleTo: null,
      reason: `inactive, cooling down: ${left} s to zero`,
    },
    state,
  };
}

/** A fresh KEDA state for a ScaledObject created at `now`. */
export function initialKedaState(now: number): KedaState {
  return { createdAt: now, lastActiveAt: null };
}
