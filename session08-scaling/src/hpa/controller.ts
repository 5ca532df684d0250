/**
 * One sync of the HPA controller, as a pure function: spec + remembered state + what was
 * observed + the time → the replica count to set, why, and the next state. The order is the
 * controller's:
 *
 *   metrics → proposals (largest wins) → stabilization windows → rate policies and [min, max]
 *
 * Time is an input (`now`, ms), so a test can replay five minutes in a microsecond and the
 * local autoscaler can run the real defaults with a compressed clock.
 */
import { checkInteger, WorkbookError } from '@workbook/session01';
import { ScalingErrorCodes } from '../errors.ts';
import { limitRate, recordScaleEvent, stabilize } from './behavior.ts';
import { proposeReplicas } from './replica-calculator.ts';
import {
  DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  DEFAULT_TOLERANCE,
  resolveHpaSpec,
} from './spec.ts';
import type {
  HpaCondition,
  HpaConditionType,
  HpaControllerOptions,
  HpaDecision,
  HpaObservation,
  HpaSpec,
  HpaState,
  MetricProposal,
  MetricSpec,
  ResolvedHpaSpec,
} from './types.ts';

/** The result of {@link hpaStep}. */
export interface HpaStepResult {
  decision: HpaDecision;
  /** Remember it and pass it to the next step. */
  state: HpaState;
}

/** The state of a controller that has not synced yet. */
export function initialHpaState(): HpaState {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/**
 * One sync of the HorizontalPodAutoscaler controller (autoscaling/v2, with behaviors).
 *
 * @param spec the HPA's spec; defaults are filled in (`resolveHpaSpec`)
 * @param state what the previous step returned, or `undefined` for the first sync — which, like
 * a freshly started controller, seeds the scale-down window with the current replica count
 * (no scale-down during the first 300 s)
 * @param observation `spec.replicas` and one metric observation per `spec.metrics` entry
 * @param now the time of this sync, ms on any clock that only moves forward
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad spec or replica count;
 * {@link WorkbookError} `ERR_OBSERVATION_MISMATCH` when the observations do not fit the metrics
 * @example
 * const { decision, state } = hpaStep({ maxReplicas: 100, metrics: [cpu75] }, undefined,
 *   { currentReplicas: 50, metrics: [{ pods }] }, Date.now());
 * decision.desiredReplicas // 60 for 50 pods at 90 %
 */
export function hpaStep(
  spec: HpaSpec | ResolvedHpaSpec,
  state: HpaState | undefined,
  observation: HpaObservation,
  now: number,
  options: HpaControllerOptions = {},
): HpaStepResult {
  const resolved = resolveHpaSpec(
    spec,
    options.downscaleStabilizationSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
  );
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const current = checkInteger('observation.currentReplicas', observation.currentReplicas, {
    min: 0,
  });
  if (
    !Array.isArray(observation.metrics) ||
    observation.metrics.length !== resolved.metrics.length
  ) {
    throw new WorkbookError(
      ScalingErrorCodes.OBSERVATION_MISMATCH,
      `Expected one observation per spec.metrics entry (${resolved.metrics.length}), got ` +
        `${Array.isArray(observation.metrics) ? observation.metrics.length : 'none'}. ` +
        'Give them in the order of spec.metrics.',
    );
  }
  let memory: HpaState = state ?? initialHpaState();
  if (state === undefined && resolved.behavior.scaleDown.stabilizationWindowSeconds > 0) {
    memory = { ...memory, recommendations: [{ at: now, replicas: current }] };
  }
  const base = { at: now, currentReplicas: current };

  if (current === 0 && resolved.minReplicas !== 0) {
    const conditions = [
      cond(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      ),
    ];
    const reason =
      'ScalingDisabled: the target has 0 replicas and minReplicas > 0 (scaled to zero by hand, or by KEDA)';
    return {
      decision: { ...base, ...still(current), proposals: [], conditions, reason },
      state: memory,
    };
  }
  if (current > resolved.maxReplicas || current < resolved.minReplicas) {
    const desired = current > resolved.maxReplicas ? resolved.maxReplicas : resolved.minReplicas;
    const reason = `Current number of replicas ${current > resolved.maxReplicas ? 'above Spec.MaxReplicas' : 'below Spec.MinReplicas'}`;
    return rescaled(
      resolved,
      memory,
      { ...base, metricReplicas: null, stabilizedReplicas: desired, proposals: [], reason },
      desired,
      [],
    );
  }

  const context = {
    currentReplicas: current,
    statusReplicas: observation.statusReplicas ?? current,
    readyReplicas: observation.readyReplicas ?? observation.statusReplicas ?? current,
    tolerance,
  };
  const proposals = resolved.metrics.map((metric, index) =>
    proposeReplicas(metric, observation.metrics[index]!, context),
  );
  const valid = proposals.filter((p) => p.replicas !== null);
  const metricReplicas = valid.length > 0 ? Math.max(...valid.map((p) => p.replicas!)) : null;
  const invalidIndex = proposals.findIndex((p) => p.replicas === null);
  if (metricReplicas === null || (invalidIndex !== -1 && metricReplicas < current)) {
    // All metrics failed, or the ones that worked would scale down: do nothing (a failed metric
    // may be the one that would have kept the pods).
    const failed = proposals[invalidIndex]!;
    const reasonCode = `FailedGet${resolved.metrics[invalidIndex]!.type}Metric`;
    const conditions = [
      cond(
        'AbleToScale',
        'True',
        'SucceededGetScale',
        "the HPA controller was able to get the target's current scale",
      ),
      cond(
        'ScalingActive',
        'False',
        reasonCode,
        `the HPA was unable to compute the replica count: ${failed.error}`,
      ),
    ];
    const reason = `${reasonCode}: ${failed.error}; no scaling`;
    return {
      decision: { ...base, ...still(current), metricReplicas, proposals, conditions, reason },
      state: memory,
    };
  }

  const active = cond(
    'ScalingActive',
    'True',
    'ValidMetricFound',
    `the HPA was able to successfully calculate a replica count from ${largest(proposals, metricReplicas)}`,
  );
  const stable = stabilize(
    current,
    metricReplicas,
    memory.recommendations,
    now,
    resolved.behavior.scaleUp,
    resolved.behavior.scaleDown,
  );
  memory = { ...memory, recommendations: stable.recommendations };
  const able =
    stable.replicas !== metricReplicas
      ? cond(
          'AbleToScale',
          'True',
          stable.reason,
          stable.reason === 'ScaleUpStabilized'
            ? 'recent recommendations were lower than current one, applying the lowest recent recommendation'
            : 'recent recommendations were higher than current one, applying the highest recent recommendation',
        )
      : cond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
  const rate = limitRate(current, stable.replicas, resolved, memory, resolved.behavior, now);
  const limitedCond = cond(
    'ScalingLimited',
    rate.limited ? 'True' : 'False',
    rate.reason,
    rate.message,
  );

  let reason =
    metricReplicas > current
      ? `${largest(proposals, metricReplicas)} above target: ${metricReplicas} wanted`
      : metricReplicas < current
        ? `All metrics below target: ${metricReplicas} wanted`
        : 'metrics at target';
  if (stable.replicas !== metricReplicas) {
    const window =
      stable.reason === 'ScaleDownStabilized'
        ? resolved.behavior.scaleDown
        : resolved.behavior.scaleUp;
    reason += `; ${stable.reason}: ${stable.replicas} (${stable.reason === 'ScaleDownStabilized' ? 'highest' : 'lowest'} recommendation of the last ${window.stabilizationWindowSeconds} s)`;
  }
  if (rate.limited) reason += `; ${rate.reason}: ${rate.replicas}`;
  const partial = {
    ...base,
    metricReplicas,
    stabilizedReplicas: stable.replicas,
    proposals,
    reason,
  };
  if (rate.replicas === current) {
    return {
      decision: {
        ...partial,
        desiredReplicas: current,
        rescale: false,
        conditions: [able, active, limitedCond],
      },
      state: memory,
    };
  }
  return rescaled(resolved, memory, partial, rate.replicas, [active, limitedCond]);
}

/** A decision that sets a new replica count, with the scale event recorded. */
function rescaled(
  spec: ResolvedHpaSpec,
  memory: HpaState,
  partial: Omit<HpaDecision, 'desiredReplicas' | 'rescale' | 'conditions'>,
  desired: number,
  conditions: HpaCondition[],
): HpaStepResult {
  const events = recordScaleEvent(
    memory,
    partial.currentReplicas,
    desired,
    partial.at,
    spec.behavior,
  );
  const able = cond(
    'AbleToScale',
    'True',
    'SucceededRescale',
    `the HPA controller was able to update the target scale to ${desired}`,
  );
  return {
    decision: {
      ...partial,
      desiredReplicas: desired,
      rescale: true,
      conditions: [able, ...conditions],
    },
    state: { ...memory, ...events },
  };
}

function still(current: number) {
  return {
    desiredReplicas: current,
    metricReplicas: null,
    stabilizedReplicas: current,
    rescale: false,
  };
}

function cond(
  type: HpaConditionType,
  status: 'True' | 'False',
  reason: string,
  message: string,
): HpaCondition {
  return { type, status, reason, message };
}

function largest(proposals: readonly MetricProposal[], replicas: number): string {
  return proposals.find((p) => p.replicas === replicas)?.metric ?? 'metrics';
}

/**
 * The condition of a type in a decision, e.g. `conditionOf(d, 'ScalingLimited')?.reason`.
 * @example conditionOf(decision, 'ScalingLimited')?.reason // 'ScaleUpLimit'
 */
export function conditionOf(
  decision: HpaDecision,
  type: HpaConditionType,
): HpaCondition | undefined {
  return decision.conditions.find((c) => c.type === type);
}

/**
 * A HorizontalPodAutoscaler that remembers its state between syncs: {@link hpaStep} in an
 * object, for a control loop.
 *
 * @example
 * const hpa = new HorizontalPodAutoscaler({ maxReplicas: 8, metrics: [queueMetric] });
 * const decision = hpa.sync({ currentReplicas: 1, metrics: [{ value: 40 }] }, clock.now());
 */
export class HorizontalPodAutoscaler {
  readonly spec: ResolvedHpaSpec;
  readonly options: HpaControllerOptions;
  #state: HpaState | undefined;
  #last: HpaDecision | undefined;

  /** @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a bad spec, at once. */
  constructor(spec: HpaSpec, options: HpaControllerOptions = {}) {
    this.options = options;
    this.spec = resolveHpaSpec(
      spec,
      options.downscaleStabilizationSeconds ?? DEFAULT_DOWNSCALE_STABILIZATION_SECONDS,
    );
  }

  /** One sync; see {@link hpaStep}. */
  sync(observation: HpaObservation, now: number): HpaDecision {
    const { decision, state } = hpaStep(this.spec, this.#state, observation, now, this.options);
    this.#state = state;
    this.#last = decision;
    return decision;
  }

  /** The remembered recommendations and scale events (for a view or a test). */
  get state(): HpaState | undefined {
    return this.#state;
  }

  /** The last decision, if any. */
  get lastDecision(): HpaDecision | undefined {
    return this.#last;
  }

  /** The metrics, for building observations in order. */
  get metrics(): readonly MetricSpec[] {
    return this.spec.metrics;
  }
}
