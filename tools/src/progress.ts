/**
 * The student's local progress: `.workbook/progress.json` at the repository root
 * (git-ignored). Written atomically (temp file + rename) so an interrupted command never
 * leaves half a file; a corrupt file is set aside, not trusted and not fatal.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exercise, Workbook } from './exercises.ts';

/** Result of the last `pnpm check` of an exercise. */
export type CheckStatus = 'passed' | 'failing' | 'not-started';

/** What is remembered about one exercise. */
export interface ExerciseProgress {
  /** Outcome of the last check. */
  status?: CheckStatus;
  /** ISO time of the last check. */
  checkedAt?: string;
  /** Tests passed / total at the last check. */
  passed?: number;
  total?: number;
  /** Fingerprint of the student's files at the last check (see {@link fingerprint}). */
  fingerprint?: string;
  /** How many hints `pnpm hint` has revealed. */
  hintsShown?: number;
  /**
   * Fingerprint of the files `pnpm workbook catch-up` copied from the reference: while the
   * files still have it, the exercise counts as caught up, not solved.
   */
  caughtUp?: string;
}

/** The whole progress file. */
export interface Progress {
  version: 1;
  exercises: Record<string, ExerciseProgress>;
}

/** `<root>/.workbook/progress.json`. */
export function progressPath(root: string): string {
  return path.join(root, '.workbook', 'progress.json');
}

/** An empty progress record. */
export function emptyProgress(): Progress {
  return { version: 1, exercises: {} };
}

/**
 * Reads the progress file; a missing file is empty progress. A file that does not parse is
 * renamed to `progress.json.corrupt-<time>` and reported through `onWarning`.
 */
export function loadProgress(file: string, onWarning: (msg: string) => void = () => {}): Progress {
  if (!existsSync(file)) return emptyProgress();
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Progress>;
    if (data.version !== 1 || typeof data.exercises !== 'object' || data.exercises === null) {
      throw new Error('unexpected shape');
    }
    return { version: 1, exercises: data.exercises };
  } catch (error) {
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    onWarning(
      `Your progress file could not be read (${(error as Error).message}); it was moved to ` +
        `${aside} and progress starts fresh. Run \`pnpm check\` to record it again.`,
    );
    return emptyProgress();
  }
}

/** Writes the progress file atomically. */
export function saveProgress(file: string, progress: Progress): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(temp, file);
}

/**
 * Loads, changes and saves the record of one exercise in one step.
 * @returns the updated record.
 */
export function updateExercise(
  file: string,
  id: string,
  change: (current: ExerciseProgress) => ExerciseProgress,
  onWarning?: (msg: string) => void,
): ExerciseProgress {
  const progress = loadProgress(file, onWarning);
  const next = change({ ...progress.exercises[id] });
  progress.exercises[id] = next;
  saveProgress(file, progress);
  return next;
}

/**
 * A short hash of the student's files of an exercise (names and contents), to tell whether
 * they changed since the last check.
 */
export function fingerprint(exercise: Exercise): string {
  const hash = createHash('sha256');
  for (const file of exercise.starterFiles) {
    hash.update(path.relative(exercise.dir, file));
    hash.update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * What the class report needs of an exercise's status. `ExerciseStatus` (status.ts) has this
 * shape; it is restated here because status.ts imports this module.
 */
export interface ClassStatus {
  state: 'passed' | 'failing' | 'started' | 'not-started';
  /** Files changed since the recorded check. */
  stale: boolean;
}

/**
 * One student's progress as an instructor collects it: `pnpm workbook progress --class` prints
 * it as one line to paste into the class chat, `--json` as one JSON line for a script.
 */
export interface ClassReport {
  /** `git config user.name`, else the login name (see {@link studentName}). */
  name: string;
  /** The session the student is working in: the last one with any checked or edited exercise. */
  session: string | null;
  sessionTitle: string | null;
  /** Exercises of that session passed / in it. */
  sessionPassed: number;
  sessionTotal: number;
  /** Exercise ids by state, in course order. */
  passed: string[];
  failing: string[];
  started: string[];
  /** Passed or failing exercises edited since their last check (the result may be out of date). */
  stale: string[];
  overall: { passed: number; total: number };
  /** The first exercise, in course order, not passed yet. */
  next: string | null;
  /** Problems reading the progress file, if any. */
  warnings: string[];
  /** ISO time the report was made. */
  at: string;
}

/**
 * Builds a student's {@link ClassReport} from the statuses `pnpm workbook` shows. Pure.
 * @param statuses exercise id → status (see `workbookStatus` in status.ts)
 */
export function classReport(
  workbook: Workbook,
  statuses: ReadonlyMap<string, ClassStatus>,
  name: string,
  options: { warnings?: string[]; now?: Date } = {},
): ClassReport {
  const ids = (state: ClassStatus['state']) =>
    workbook.exercises.filter((ex) => statuses.get(ex.id)?.state === state).map((ex) => ex.id);
  const passed = ids('passed');
  const active = workbook.exercises.filter((ex) => statuses.get(ex.id)?.state !== 'not-started');
  const next = workbook.exercises.find((ex) => statuses.get(ex.id)?.state !== 'passed') ?? null;
  const sessionNumber = active.at(-1)?.session ?? next?.session ?? null;
  const session = workbook.sessions.find((s) => s.number === sessionNumber) ?? null;
  return {
    name,
    session: session?.number ?? null,
    sessionTitle: session?.title ?? null,
    sessionPassed: session?.exercises.filter((ex) => passed.includes(ex.id)).length ?? 0,
    sessionTotal: session?.exercises.length ?? 0,
    passed,
    failing: ids('failing'),
    started: ids('started'),
    stale: workbook.exercises.filter((ex) => statuses.get(ex.id)?.stale).map((ex) => ex.id),
    overall: { passed: passed.length, total: workbook.exercises.length },
    next: next?.id ?? null,
    warnings: options.warnings ?? [],
    at: (options.now ?? new Date()).toISOString(),
  };
}

/**
 * The report as one plain line (no colour, so it pastes cleanly):
 * `Ana García · session 03 · 1/4 passed (03.1) · 9/15 overall · next 03.2`.
 */
export function formatClassLine(report: ClassReport): string {
  const inSession = report.passed.filter((id) => id.startsWith(`${report.session}.`));
  const parts = [
    report.name,
    report.session ? `session ${report.session}` : 'no session yet',
    `${report.sessionPassed}/${report.sessionTotal} passed` +
      (inSession.length > 0 ? ` (${inSession.join(' ')})` : ''),
    `${report.overall.passed}/${report.overall.total} overall`,
    report.next ? `next ${report.next}` : 'all done',
  ];
  if (report.warnings.length > 0) parts.push('progress file unreadable: run pnpm check again');
  return parts.join(' · ');
}

/**
 * The student's name for class reports: `git config user.name` in `cwd`, else `$USER` /
 * `$USERNAME`, else the OS login name, else `unknown`.
 */
export function studentName(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const git = spawnSync('git', ['config', 'user.name'], { cwd, env, encoding: 'utf8' });
  const fromGit = git.status === 0 ? git.stdout.trim() : '';
  if (fromGit) return fromGit;
  const fromEnv = (env.USER ?? env.USERNAME ?? '').trim();
  if (fromEnv) return fromEnv;
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
