/**
 * KEDA's operator and the HPA it creates, run together on one clock: at each step, KEDA polls
 * if `pollingInterval` has passed (activation, cooldown to zero), then the HPA syncs if its
 * sync period has passed (1 ↔ N on the list length). Both read the lists at that moment, as
 * KEDA's metrics server does for every HPA request (no metric cache by default).
 */
import { checkDuration } from '@workbook/session01';
import { HorizontalPodAutoscaler } from '../hpa/controller.ts';
import { DEFAULT_SYNC_PERIOD_MS } from '../hpa/spec.ts';
import type { HpaControllerOptions, HpaDecision } from '../hpa/types.ts';
import {
  initialKedaState,
  type KedaDecision,
  type KedaState,
  kedaHpaSpec,
  kedaPoll,
  type ResolvedScaledObject,
  resolveScaledObject,
  type ScaledObjectSpec,
} from './scaled-object.ts';

/** What the controllers read at one step. */
export interface ScalingInput {
  /** Length of each trigger's list, in trigger order. */
  lengths: readonly number[];
  /** The target's `spec.replicas` (what was last asked for). */
  currentReplicas: number;
  /** Pods that exist (`status.replicas`). @default currentReplicas */
  statusReplicas?: number;
  /** Running and ready pods. @default statusReplicas */
  readyReplicas?: number;
}

/** What one step did. */
export interface ScalingStep {
  at: number;
  /** KEDA's poll, when one was due. */
  keda?: KedaDecision;
  /** The HPA's sync, when one was due. */
  hpa?: HpaDecision;
  /** The replica count to set after this step. */
  desiredReplicas: number;
  /** Whether it differs from `currentReplicas`. */
  changed: boolean;
  /** Who decided the change: KEDA (0 ↔ 1) or the HPA (1 ↔ N). */
  source: 'keda' | 'hpa' | null;
  /** One line: the reason of whoever decided (or of the last poll). */
  reason: string;
}

/** Options of {@link ScaledObjectController}. */
export interface ScaledObjectControllerOptions {
  /** The HPA controller's `--horizontal-pod-autoscaler-sync-period`, ms. @default 15000 */
  syncPeriodMs?: number;
  /** Tolerance and default scale-down window of the HPA controller. */
  hpa?: HpaControllerOptions;
}

/**
 * A ScaledObject in action: {@link kedaPoll} and a {@link HorizontalPodAutoscaler} built by
 * {@link kedaHpaSpec}, stepped on one clock.
 *
 * @example
 * const so = new ScaledObjectController(spec, clock.now());
 * const step = so.step({ lengths: [await redis.llen(list)], currentReplicas }, clock.now());
 * if (step.changed) await driver.scale(step.desiredReplicas);
 */
export class ScaledObjectController {
  readonly scaledObject: ResolvedScaledObject;
  readonly hpa: HorizontalPodAutoscaler;
  readonly syncPeriodMs: number;
  #keda: KedaState;
  #nextPollAt: number;
  #nextSyncAt: number;
  #lastReason = 'not polled yet';

  /** @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad spec or option. */
  constructor(spec: ScaledObjectSpec, now: number, options: ScaledObjectControllerOptions = {}) {
    this.scaledObject = resolveScaledObject(spec);
    this.hpa = new HorizontalPodAutoscaler(kedaHpaSpec(this.scaledObject), options.hpa);
    this.syncPeriodMs = checkDuration(
      'syncPeriodMs',
      options.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS,
    );
    this.#keda = initialKedaState(now);
    this.#nextPollAt = now;
    this.#nextSyncAt = now;
  }

  /** When the next poll or sync is due (ms). */
  get nextDueAt(): number {
    return Math.min(this.#nextPollAt, this.#nextSyncAt);
  }

  /** KEDA's memory (creation and last activity). */
  get kedaState(): KedaState {
    return this.#keda;
  }

  /**
   * Runs what is due at `now`: KEDA's poll (every `pollingInterval`), then the HPA's sync
   * (every `syncPeriodMs`) on the replica count KEDA left. Nothing due → no change.
   */
  step(input: ScalingInput, now: number): ScalingStep {
    let replicas = input.currentReplicas;
    let source: ScalingStep['source'] = null;
    const result: ScalingStep = {
      at: now,
      desiredReplicas: replicas,
      changed: false,
      source,
      reason: this.#lastReason,
    };
    if (now >= this.#nextPollAt) {
      const { decision, state } = kedaPoll(
        this.scaledObject,
        this.#keda,
        input.lengths,
        replicas,
        now,
      );
      this.#keda = state;
      this.#nextPollAt = now + this.scaledObject.pollingInterval * 1000;
      result.keda = decision;
      result.reason = decision.reason;
      if (decision.scaleTo !== null && decision.scaleTo !== replicas) {
        replicas = decision.scaleTo;
        source = 'keda';
      }
    }
    if (now >= this.#nextSyncAt) {
      this.#nextSyncAt = now + this.syncPeriodMs;
      const statusReplicas = input.statusReplicas ?? input.currentReplicas;
      const decision = this.hpa.sync(
        {
          currentReplicas: replicas,
          statusReplicas,
          readyReplicas: input.readyReplicas ?? statusReplicas,
          metrics: this.scaledObject.triggers.map((_, i) => ({ value: input.lengths[i] ?? 0 })),
        },
        now,
      );
      result.hpa = decision;
      if (decision.rescale) {
        replicas = decision.desiredReplicas;
        source = 'hpa';
        result.reason = decision.reason;
      } else if (source === null && replicas > 0) {
        result.reason = decision.reason;
      }
    }
    result.desiredReplicas = replicas;
    result.changed = replicas !== input.currentReplicas;
    result.source = result.changed ? source : null;
    this.#lastReason = result.reason;
    return result;
  }
}
