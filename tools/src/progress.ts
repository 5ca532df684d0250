/**
 * The student's local progress: `.workbook/progress.json` at the repository root
 * (git-ignored). Written atomically (temp file + rename) so an interrupted command never
 * leaves half a file; a corrupt file is set aside, not trusted and not fatal.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from './exercises.ts';

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
