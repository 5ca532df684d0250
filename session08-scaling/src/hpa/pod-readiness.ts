/**
 * Whether a pod's CPU sample counts, from the times the controller can see. The controller
 * cannot know when a pod first became ready, so the documentation gives two windows:
 *
 * - within `cpuInitializationPeriodMs` (5 min) of its start, a pod's sample counts only if the
 *   pod is ready AND the sample was taken entirely after it became ready (a JVM warming up, or
 *   sharp's first decode, must not look like load);
 * - after that, a pod is set aside only when it is unready and has never been ready (its last
 *   readiness change came within `initialReadinessDelayMs`, 30 s, of its start).
 */
import {
  DEFAULT_CPU_INITIALIZATION_PERIOD_MS,
  DEFAULT_INITIAL_READINESS_DELAY_MS,
} from './spec.ts';

/** What the controller knows of a pod's timeline (ms, one clock). */
export interface PodTimeline {
  /** When the pod started; unknown → not ready. */
  startedAt?: number;
  /** Its Ready condition now. */
  ready: boolean;
  /** When the Ready condition last changed; unknown → not ready. */
  readyChangedAt?: number;
  /** When the metric sample ends (its timestamp). */
  sampleAt: number;
  /** How long the sample averages over (metrics-server: about 15-30 s). */
  sampleWindowMs: number;
}

/** The controller flags behind {@link cpuSampleCounts}. */
export interface ReadinessOptions {
  /** `--horizontal-pod-autoscaler-cpu-initialization-period`. @default 300000 */
  cpuInitializationPeriodMs?: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay`. @default 30000 */
  initialReadinessDelayMs?: number;
}

/**
 * `true` when the pod's CPU sample is used, `false` when the pod is set aside as not yet ready
 * (`PodSample.ready: false`).
 * @example
 * // started 60 s ago, ready since 50 s ago, a 30 s sample that began after that → counts
 * cpuSampleCounts({ startedAt: 0, ready: true, readyChangedAt: 10_000, sampleAt: 60_000, sampleWindowMs: 30_000 }, 60_000)
 */
export function cpuSampleCounts(
  pod: PodTimeline,
  now: number,
  options: ReadinessOptions = {},
): boolean {
  const initPeriod = options.cpuInitializationPeriodMs ?? DEFAULT_CPU_INITIALIZATION_PERIOD_MS;
  const readinessDelay = options.initialReadinessDelayMs ?? DEFAULT_INITIAL_READINESS_DELAY_MS;
  if (pod.startedAt === undefined || pod.readyChangedAt === undefined) return false;
  if (pod.startedAt + initPeriod > now) {
    return pod.ready && pod.sampleAt >= pod.readyChangedAt + pod.sampleWindowMs;
  }
  return pod.ready || pod.startedAt + readinessDelay <= pod.readyChangedAt;
}
