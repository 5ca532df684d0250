/** Replays 20 minutes of a queue through YOUR HPA pieces (08.1 desired replicas, 08.2 stabilization, 08.3 scale-up limit) next to the library's HPA, in a blink. */
import {
  DEFAULT_BEHAVIOR,
  type HpaSpec,
  type HpaState,
  hpaStep,
  scaleUpLimit as libraryScaleUpLimit,
  stabilize as libraryStabilize,
  proposeReplicas,
  type ScaleEvent,
  type TimedRecommendation,
} from '@workbook/session08';
import { done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
import { desiredReplicas } from '#ex/01-desired-replicas/desired-replicas.ts';
import { stabilizedReplicas } from '#ex/02-stabilization-window/stabilize.ts';
import { scaleUpLimit } from '#ex/03-scale-up-limit/scale-up-limit.ts';

const SYNC_S = 15;
const SYNCS = 80; // 20 minutes
const TARGET = 5; // tasks waiting per worker
const PER_WORKER = 4; // tasks one worker finishes per 15 s
const MAX = 12;
const metric = {
  type: 'Pods',
  pods: {
    metric: { name: 'tasks-per-worker' },
    target: { type: 'AverageValue', averageValue: TARGET },
  },
} as const;
const spec: HpaSpec = { minReplicas: 1, maxReplicas: MAX, metrics: [metric] };

/** Tasks arriving in sync `k`: a burst of 150 at 1 min, a wave from 8 to 14 min, quiet otherwise. */
function arrivals(k: number): number {
  const minute = (k * SYNC_S) / 60;
  if (k === 4) return 150;
  if (minute >= 8 && minute < 14)
    return Math.round(10 + 8 * Math.sin(((minute - 8) / 6) * Math.PI));
  return minute < 1 ? 0 : 1;
}

/** Runs one exercise function, or the library's piece when the exercise is not solved yet. */
const unsolved = new Set<string>();
function mine<T>(id: string, yours: () => T, library: () => T): T {
  if (unsolved.has(id)) return library();
  try {
    return yours();
  } catch (error) {
    unsolved.add(id);
    warn(
      `${id} is not solved yet (${(error as Error).message.slice(0, 70)}…): the replay uses the library's piece instead.`,
    );
    return library();
  }
}

await runMain(async () => {
  title('Session 08 · Your HPA, replayed: 20 minutes of a queue in a blink');
  step(
    `A worker finishes ${PER_WORKER} tasks per 15 s sync; target ${TARGET} waiting tasks per worker; 1..${MAX} workers; default behavior.`,
  );
  step(
    'Every sync, the library runs hpaStep; your pipeline runs 08.1 → 08.2 → 08.3 (via #ex, exercises/ or --solution).',
  );
  // The library's run.
  let libState: HpaState | undefined;
  let lib = { replicas: 1, queue: 0 };
  // Your run.
  let you = { replicas: 1, queue: 0 };
  const history: TimedRecommendation[] = [];
  const upEvents: ScaleEvent[] = [];
  const rows: Record<string, string | number>[] = [];
  let matches = 0;
  for (let k = 0; k < SYNCS; k++) {
    const now = k * SYNC_S * 1000;
    const incoming = arrivals(k);
    lib.queue = Math.max(0, lib.queue + incoming - PER_WORKER * lib.replicas);
    you.queue = Math.max(0, you.queue + incoming - PER_WORKER * you.replicas);

    const pods = (n: number, queue: number) =>
      Array.from({ length: n }, () => ({ value: queue / n }));
    const result = hpaStep(
      spec,
      libState,
      { currentReplicas: lib.replicas, metrics: [{ pods: pods(lib.replicas, lib.queue) }] },
      now,
    );
    libState = result.state;
    lib = { ...lib, replicas: result.decision.desiredReplicas };

    const current = you.replicas;
    const perWorker = you.queue / current;
    const wanted = mine(
      '08.1',
      () =>
        desiredReplicas({
          currentReplicas: current,
          currentMetricValue: perWorker,
          desiredMetricValue: TARGET,
        }),
      () =>
        proposeReplicas(
          metric,
          { pods: pods(current, you.queue) },
          {
            currentReplicas: current,
            statusReplicas: current,
            readyReplicas: current,
            tolerance: 0.1,
          },
        ).replicas ?? current,
    );
    const windows = { scaleUpSeconds: 0, scaleDownSeconds: 300 };
    if (k === 0) history.push({ at: now, replicas: current }); // a new controller seeds its window
    const stable = mine(
      '08.2',
      () => stabilizedReplicas(current, wanted, history, now, windows),
      () =>
        libraryStabilize(
          current,
          wanted,
          history,
          now,
          { stabilizationWindowSeconds: 0 },
          { stabilizationWindowSeconds: 300 },
        ).replicas,
    );
    history.push({ at: now, replicas: wanted });
    let next = Math.min(MAX, Math.max(1, stable));
    if (next > current) {
      const limit = mine(
        '08.3',
        () => scaleUpLimit(current, upEvents, DEFAULT_BEHAVIOR.scaleUp, now),
        () => libraryScaleUpLimit(current, upEvents, [], DEFAULT_BEHAVIOR.scaleUp, now),
      );
      next = Math.min(next, limit);
      if (next > current) upEvents.push({ at: now, change: next - current });
    }
    you = { ...you, replicas: next };
    const same = you.replicas === lib.replicas;
    if (same) matches++;
    if (k % 4 === 3 || !same) {
      rows.push({
        minute: ((k + 1) * SYNC_S) / 60,
        arrived: incoming,
        'queue (library)': lib.queue,
        library: lib.replicas,
        yours: same ? you.replicas : chalk.red(String(you.replicas)),
        reason: result.decision.reason
          .replace(/^tasks-per-worker \(Pods, AverageValue 5\) /, '')
          .slice(0, 70),
      });
    }
  }
  table(rows);
  console.log();
  const solved = ['08.1', '08.2', '08.3'].filter((id) => !unsolved.has(id));
  if (matches === SYNCS)
    done(
      `Your pipeline (${solved.join(', ') || 'no exercise solved yet: library pieces'}) agreed with the library on all ${SYNCS} syncs.`,
    );
  else
    warn(
      `Your pipeline differed from the library on ${SYNCS - matches} of ${SYNCS} syncs (in red above): run \`pnpm check 08\`.`,
    );
});
