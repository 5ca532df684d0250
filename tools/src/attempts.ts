/**
 * Reset and catch-up: both first back up the student's attempt to
 * `.workbook/backups/<id>/<timestamp>/`, so no work is ever lost, then write files into the
 * exercise folder (the pristine starter from git, or the reference solution).
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Exercise } from './exercises.ts';
import { listFiles } from './exercises.ts';
import { fileAt, filesAt, type GitBase, gitBase } from './pristine.ts';

/** `2025-01-31T12-00-00-000Z`: an ISO time that is also a valid folder name everywhere. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * Copies every file of the exercise folder to `.workbook/backups/<id>/<timestamp>/`.
 * @returns the backup folder, or `null` when there was nothing to back up.
 */
export function backupAttempt(root: string, exercise: Exercise, now = new Date()): string | null {
  const files = listFiles(exercise.dir);
  if (files.length === 0) return null;
  const target = path.join(root, '.workbook', 'backups', exercise.id, timestamp(now));
  for (const file of files) {
    const dest = path.join(target, path.relative(exercise.dir, file));
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
  return target;
}

/** What {@link resetExercise} did. */
export interface ResetResult {
  base: GitBase;
  backup: string | null;
  /** Absolute paths written from the pristine starter. */
  restored: string[];
  /** Files in the folder that the starter does not have (left in place, and backed up). */
  extra: string[];
}

/**
 * Backs up the attempt, then restores every file of the exercise folder as it is at the
 * git base (see {@link gitBase}). Files the starter does not have are left alone.
 * @throws {Error} when git cannot provide the starter (no clone, or the folder is not in it).
 */
export function resetExercise(root: string, exercise: Exercise, now = new Date()): ResetResult {
  const base = gitBase(root);
  const folder = path.relative(root, exercise.dir).split(path.sep).join('/');
  const pristine = filesAt(root, base, folder);
  if (pristine.length === 0) {
    throw new Error(
      `The exercise folder ${folder} does not exist at ${base.description}, so there is no ` +
        'starter to restore.',
    );
  }
  const backup = backupAttempt(root, exercise, now);
  const restored: string[] = [];
  for (const relPath of pristine) {
    const content = fileAt(root, base, relPath);
    if (content === null) continue;
    const dest = path.join(root, relPath);
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, content);
    restored.push(dest);
  }
  const restoredSet = new Set(restored);
  const extra = listFiles(exercise.dir).filter((file) => !restoredSet.has(file));
  return { base, backup, restored, extra };
}

/** What {@link catchUp} did. */
export interface CatchUpResult {
  backup: string | null;
  /** Absolute paths written from the reference solution. */
  copied: string[];
}

/**
 * Instructors: backs up the attempt, then copies the reference solution's files into the
 * exercise folder so the student can follow the next step.
 * @throws {Error} when the exercise has no solution folder.
 */
export function catchUp(root: string, exercise: Exercise, now = new Date()): CatchUpResult {
  const files = listFiles(exercise.solutionDir);
  if (!existsSync(exercise.solutionDir) || files.length === 0) {
    throw new Error(`Exercise ${exercise.id} has no reference files in ${exercise.solutionDir}`);
  }
  const backup = backupAttempt(root, exercise, now);
  const copied: string[] = [];
  for (const file of files) {
    const dest = path.join(exercise.dir, path.relative(exercise.solutionDir, file));
    mkdirSync(path.dirname(dest), { recursive: true });
    copyFileSync(file, dest);
    copied.push(dest);
  }
  return { backup, copied };
}
