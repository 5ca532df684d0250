/**
 * Where a student stands: each exercise is passed, failing, started (edited but never
 * checked) or not started (never checked and identical to the pristine starter).
 */
import path from 'node:path';
import chalk from 'chalk';
import type { Exercise, Workbook } from './exercises.ts';
import { changedSince, gitBase } from './pristine.ts';
import { fingerprint, type Progress } from './progress.ts';
import { MARK, progressBar } from './ui.ts';

/** The status shown for an exercise. */
export type ExerciseState = 'passed' | 'failing' | 'started' | 'not-started';

/** Status plus whether the files changed after the last check. */
export interface ExerciseStatus {
  state: ExerciseState;
  /** The files changed since the recorded check, so the recorded result may be out of date. */
  stale: boolean;
  /** Checks passed / total at the last check, when known. */
  passed?: number;
  total?: number;
  /** The files are still the reference that `pnpm workbook catch-up` copied: not solved. */
  caughtUp?: boolean;
}

/**
 * Decides the status of one exercise from its progress record and whether its files differ
 * from the pristine starter. Pure.
 */
export function exerciseStatus(
  record: Progress['exercises'][string] | undefined,
  changedFromStarter: boolean,
  currentFingerprint: string,
): ExerciseStatus {
  const stale = Boolean(record?.fingerprint && record.fingerprint !== currentFingerprint);
  const counts = { passed: record?.passed, total: record?.total };
  const caughtUp = Boolean(record?.caughtUp && record.caughtUp === currentFingerprint);
  if (caughtUp)
    return {
      state: record?.status === 'failing' ? 'failing' : 'passed',
      stale,
      caughtUp,
      ...counts,
    };
  if (record?.status === 'passed') return { state: 'passed', stale, ...counts };
  if (record?.status === 'failing') return { state: 'failing', stale, ...counts };
  if (record?.status === 'not-started') {
    return { state: stale ? 'started' : 'not-started', stale, ...counts };
  }
  return { state: changedFromStarter ? 'started' : 'not-started', stale: false };
}

/**
 * Ids of the exercises whose files differ from the pristine starter (one git call), or `null`
 * when that cannot be known (not a git clone).
 */
export function editedExercises(workbook: Workbook, exercises: Exercise[]): Set<string> | null {
  let changed: Set<string>;
  try {
    const base = gitBase(workbook.root);
    const dirs = exercises.map((ex) => toPosix(path.relative(workbook.root, ex.dir)));
    changed = changedSince(workbook.root, base, dirs);
  } catch {
    return null;
  }
  const edited = new Set<string>();
  for (const ex of exercises) {
    const prefix = `${toPosix(path.relative(workbook.root, ex.dir))}/`;
    if ([...changed].some((file) => file.startsWith(prefix))) edited.add(ex.id);
  }
  return edited;
}

/**
 * Status of every exercise. Without git, unchecked exercises count as not started.
 */
export function workbookStatus(
  workbook: Workbook,
  progress: Progress,
): Map<string, ExerciseStatus> {
  const edited = editedExercises(workbook, workbook.exercises) ?? new Set<string>();
  const statuses = new Map<string, ExerciseStatus>();
  for (const ex of workbook.exercises) {
    statuses.set(
      ex.id,
      exerciseStatus(progress.exercises[ex.id], edited.has(ex.id), fingerprint(ex)),
    );
  }
  return statuses;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The first exercise, in course order, that is not passed yet (or `null` when all are). */
export function nextExercise(
  exercises: Exercise[],
  statuses: Map<string, ExerciseStatus>,
): Exercise | null {
  return exercises.find((ex) => statuses.get(ex.id)?.state !== 'passed') ?? null;
}

const STATE_MARK: Record<ExerciseState, string> = {
  passed: MARK.pass,
  failing: MARK.fail,
  started: MARK.started,
  'not-started': MARK.todo,
};

/** A short label for a status: `failing (2/5 checks)`, `passed · edited since`. */
export function statusLabel(status: ExerciseStatus): string {
  const counts = status.total ? ` (${status.passed ?? 0}/${status.total} checks)` : '';
  const base: Record<ExerciseState, string> = {
    passed: chalk.green('passed'),
    failing: chalk.red(`failing${counts}`),
    started: chalk.yellow('started, not checked yet'),
    'not-started': chalk.dim('not started'),
  };
  if (status.caughtUp) {
    return status.state === 'passed'
      ? chalk.cyan('caught up (the reference, copied by catch-up; not solved)')
      : chalk.cyan(`caught up (the reference, copied by catch-up) · ${base[status.state]}`);
  }
  const staleNote =
    status.stale && status.state !== 'started' ? chalk.dim(' · edited since the last check') : '';
  return base[status.state] + staleNote;
}

/** The mark of a status (✅ ❌ ✏️ ⏳). */
export function statusMark(status: ExerciseStatus | undefined): string {
  if (status?.caughtUp) return MARK.caughtUp;
  return STATE_MARK[status?.state ?? 'not-started'];
}

/** The `pnpm workbook` overview: every session with a progress bar, then the next step. */
export function formatOverview(
  workbook: Workbook,
  statuses: Map<string, ExerciseStatus>,
  cwd = process.cwd(),
): string[] {
  const lines: string[] = [];
  const slugWidth = Math.max(10, ...workbook.exercises.map((ex) => ex.slug.length));
  for (const session of workbook.sessions) {
    const solved = (ex: Exercise) =>
      statuses.get(ex.id)?.state === 'passed' && !statuses.get(ex.id)?.caughtUp;
    const done = session.exercises.filter(solved).length;
    const caught = session.exercises.filter((ex) => statuses.get(ex.id)?.caughtUp).length;
    const header =
      chalk.bold(`Session ${session.number} · ${session.title}`) +
      (caught ? chalk.cyan(` (${caught} caught up)`) : '');
    if (session.exercises.length === 0) {
      lines.push(`${header}  ${chalk.dim('(no exercises yet)')}`);
      continue;
    }
    lines.push(`${header}  ${progressBar(done, session.exercises.length, 16)}`);
    for (const ex of session.exercises) {
      const status = statuses.get(ex.id)!;
      lines.push(
        `  ${statusMark(status)} ${ex.id.padEnd(6)}${ex.slug.padEnd(slugWidth + 2)}${statusLabel(status)}`,
      );
    }
  }
  const total = workbook.exercises.length;
  const passed = workbook.exercises.filter(
    (ex) => statuses.get(ex.id)?.state === 'passed' && !statuses.get(ex.id)?.caughtUp,
  ).length;
  lines.push('');
  lines.push(`${chalk.bold('Overall')}  ${progressBar(passed, total, 30)}`);
  const next = nextExercise(workbook.exercises, statuses);
  if (total === 0) {
    lines.push('No exercises exist yet.');
  } else if (next) {
    lines.push(
      `${chalk.bold('Next:')} ${next.id} ${next.title} — read ${chalk.cyan(
        path.relative(cwd, next.readme) || next.readme,
      )}, then ${chalk.cyan(`pnpm check ${next.id}`)}`,
    );
  } else {
    lines.push(chalk.green.bold('Every exercise passes. Well done!'));
  }
  return lines;
}
