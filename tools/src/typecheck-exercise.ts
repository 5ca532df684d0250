/**
 * The type check of `pnpm check`: tsc on just the files an exercise touches (its own files and
 * its check; tsc follows their imports), on a generated tsconfig, so a student sees type errors
 * beside the test results in seconds instead of from the gate's whole-repository run.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Exercise } from './exercises.ts';
import { binEntry, REPO_ROOT, TOOLS_DIR } from './paths.ts';
import { run } from './spawn.ts';
import { type Target, workbookConditions } from './target.ts';

/** One tsc diagnostic. */
export interface TscError {
  /** Absolute path. */
  file: string;
  line: number;
  column: number;
  /** `TS2322`. */
  code: string;
  /** The message, continuation lines included. */
  message: string;
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
/** The same with `--pretty` (colours stripped): `file.ts:3:9 - error TS2322: …`. */
const PRETTY = /^(.+?):(\d+):(\d+) - error (TS\d+): (.*)$/;

/** Parses tsc's output, plain or `--pretty` without colours (paths relative to `cwd`). */
export function parseTscOutput(output: string, cwd: string): TscError[] {
  const errors: TscError[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = DIAGNOSTIC.exec(line) ?? PRETTY.exec(line);
    if (match) {
      const [, file, row, col, code, message] = match;
      errors.push({
        file: path.resolve(cwd, file!),
        line: Number(row),
        column: Number(col),
        code: code!,
        message: message!,
      });
    } else if (line.startsWith('  ') && errors.length > 0) {
      errors[errors.length - 1]!.message += `\n${line.trimEnd()}`;
    }
  }
  return errors;
}

/** The files of an exercise for a target: its own code and its check. */
export function exerciseFiles(ex: Exercise, target: Target): string[] {
  const own = target === 'solution' ? ex.solutionFiles : ex.starterFiles;
  return [...own, ex.checkFile];
}

/** What {@link typecheckExercises} found. */
export interface ExerciseTypecheck {
  /** Errors per exercise id (its own files or its check). */
  byExercise: Map<string, TscError[]>;
  /** Errors in other files (the session library, a changed shared type...). */
  elsewhere: TscError[];
  /** tsc could not run (not installed...): the reason; the errors are then empty. */
  failure: string | null;
}

/**
 * Type-checks the exercises' files in one tsc run (`exercise` target: the student's
 * `exercises/` code; `solution`: the references). Incremental state is kept per selection in
 * `node_modules/.cache/workbook`, so a second check re-checks only what changed.
 */
export async function typecheckExercises(
  root: string,
  exercises: Exercise[],
  target: Target,
): Promise<ExerciseTypecheck> {
  const result: ExerciseTypecheck = { byExercise: new Map(), elsewhere: [], failure: null };
  if (exercises.length === 0) return result;
  const first = await runTsc(root, exercises, target);
  if (typeof first === 'string') return { ...result, failure: first };
  let errors = first;
  // tsc reports no type errors at all while any file has a syntax error (TS1xxx): check the
  // exercises without one again on their own, so one broken file hides nothing else.
  const owner = (error: TscError) => ownerOf(error, exercises, target);
  const broken = new Set(errors.filter((e) => /^TS1\d{3}$/.test(e.code)).map(owner));
  if (broken.size > 0) {
    const rest = exercises.filter((ex) => !broken.has(ex));
    const again = rest.length > 0 ? await runTsc(root, rest, target) : [];
    if (typeof again === 'string') return { ...result, failure: again };
    errors = [...errors.filter((e) => broken.has(owner(e))), ...again];
  }
  for (const error of errors) {
    const ex = owner(error);
    if (!ex) {
      result.elsewhere.push(error);
      continue;
    }
    const list = result.byExercise.get(ex.id) ?? [];
    list.push(error);
    result.byExercise.set(ex.id, list);
  }
  return result;
}

function ownerOf(error: TscError, exercises: Exercise[], target: Target): Exercise | undefined {
  return exercises.find(
    (ex) =>
      error.file === ex.checkFile ||
      error.file.startsWith(`${target === 'solution' ? ex.solutionDir : ex.dir}${path.sep}`),
  );
}

/** One tsc run over the exercises' files: the errors, or why tsc could not run. */
async function runTsc(
  root: string,
  exercises: Exercise[],
  target: Target,
): Promise<TscError[] | string> {
  const files = exercises.flatMap((ex) => exerciseFiles(ex, target));
  const key = createHash('sha1')
    .update(`${root}\n${target}\n${files.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  const cache = path.join(REPO_ROOT, 'node_modules', '.cache', 'workbook');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'workbook-tsc-'));
  try {
    const config = path.join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: path.join(REPO_ROOT, 'tsconfig.base.json'),
        compilerOptions: {
          customConditions: workbookConditions(target),
          typeRoots: [
            path.join(root, 'node_modules', '@types'),
            path.join(REPO_ROOT, 'node_modules', '@types'),
            path.join(TOOLS_DIR, 'node_modules', '@types'),
          ],
          incremental: true,
          tsBuildInfoFile: path.join(cache, `check-${key}.tsbuildinfo`),
        },
        files,
      }),
    );
    const tsc = binEntry('typescript', 'tsc', REPO_ROOT);
    const out = await run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], {
      cwd: root,
    });
    const errors = parseTscOutput(out.output, root);
    if (out.exitCode !== 0 && errors.length === 0) {
      return out.output.trim().split('\n').slice(0, 8).join('\n') || `tsc exited ${out.exitCode}`;
    }
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `exercises/01-x/a.ts:3:7 TS2322 Type 'string' is not assignable…` (path from `cwd`). */
export function formatTypeError(error: TscError, cwd: string): string {
  const file = path.relative(cwd, error.file).split(path.sep).join('/');
  return `${file}:${error.line}:${error.column} ${error.code} ${error.message}`;
}
