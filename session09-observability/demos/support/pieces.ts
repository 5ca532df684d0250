/**
 * The exercise pieces the demos run through the switch (`#ex/...`), each tried first: a starter
 * that still throws its 🐨 TODO is replaced by the library's own piece, and the demo says so.
 */
import type { WorkerHealth } from '@workbook/session05';
import {
  type AlertRule,
  DEFAULT_DURATION_RECORDER,
  type DurationRecorder,
  defaultCarrier,
  defaultProbe,
  noLiveWorkersRule,
  type ProbeHandler,
  type TraceCarrier,
} from '@workbook/session09';
import { Registry } from 'prom-client';
import { durationRecorder } from '#ex/01-duration-histogram/duration-histogram.ts';
import { noWorkersAlert } from '#ex/02-no-workers-alert/no-workers-alert.ts';
import { carrier } from '#ex/03-trace-context/carrier.ts';
import { probe } from '#ex/04-draining-readiness/probe.ts';

/** Which exercises are solved (their piece runs without a TODO error). */
export interface Solved {
  duration: boolean;
  alert: boolean;
  carrier: boolean;
  probe: boolean;
}

function works(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}

const sampleHealth: WorkerHealth = {
  alive: true,
  ready: true,
  status: 'running',
  workerId: 'probe',
  queue: 'probe',
  heartbeatAgeMs: 0,
  eventLoopDelayMs: 0,
  inFlight: 0,
  completed: 0,
  failed: 0,
  reasons: [],
};

/**
 * Tries each piece. The carrier needs Redis, so it is tried by `tryCarrier` where there is one;
 * here it counts as solved when its functions do not throw synchronously.
 */
export function solvedPieces(): Omit<Solved, 'carrier'> {
  return {
    duration: works(() =>
      durationRecorder.observe(
        durationRecorder.create(new Registry()),
        { queue: 'q', outcome: 'completed' },
        1,
      ),
    ),
    alert: works(() => noWorkersAlert()),
    probe: works(() => probe('/readyz', sampleHealth)),
  };
}

/** The pieces to run: the exercise's where solved, else the library's. */
export function pieces(solved: Solved): {
  duration: DurationRecorder;
  alert: AlertRule;
  carrier: TraceCarrier;
  probe: ProbeHandler;
} {
  return {
    duration: solved.duration ? durationRecorder : DEFAULT_DURATION_RECORDER,
    alert: solved.alert ? noWorkersAlert() : noLiveWorkersRule(),
    carrier: solved.carrier ? carrier : defaultCarrier,
    probe: solved.probe ? probe : defaultProbe,
  };
}

export { carrier as exerciseCarrier };
