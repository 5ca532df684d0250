/**
 * Exercise discovery: finds every session package and its exercises by convention
 * (see tools/CONVENTIONS.md), with no per-exercise configuration file.
 *
 * ```
 * sessionNN-topic/package.json            "workbook": {"session": "NN", "title", "flagship"}
 * sessionNN-topic/exercises/EE-slug/      README.md (# title), HINTS.md, starter *.ts
 * sessionNN-topic/solutions/EE-slug/      the same file names, reference code
 * sessionNN-topic/wrong/EE-slug/          optional known-wrong variant
 * sessionNN-topic/test/exercises/EE-slug.test.ts   the checks
 * ```
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { didYouMean, foldName } from './did-you-mean.ts';
import {
  catalogueFolders,
  discoverMistakes,
  type Mistake,
  mistakeDocProblems,
} from './mistakes.ts';
import { REPO_ROOT, rel } from './paths.ts';

/** One exercise, with absolute paths to everything the tools need. */
export interface Exercise {
  /** `NN.E`, e.g. `01.3` (session 01, exercise 3). */
  id: string;
  /** Two-digit session number, e.g. `01`. */
  session: string;
  /** Exercise number within the session, from the folder prefix. */
  number: number;
  /** `grayscale-thumbnail`. */
  slug: string;
  /** `03-grayscale-thumbnail`. */
  folder: string;
  /** First `# ` line of the exercise README (the folder name when it has none). */
  title: string;
  /** The session package folder (absolute). */
  sessionDir: string;
  /** `exercises/<folder>` (absolute): where the student works. */
  dir: string;
  /** Starter `.ts` files, absolute, sorted. */
  starterFiles: string[];
  /** `solutions/<folder>` (absolute; may be missing, which is an authoring problem). */
  solutionDir: string;
  /** Reference `.ts` files, absolute, sorted. */
  solutionFiles: string[];
  /** `wrong/<folder>` when the exercise has a known-wrong variant, else `null`. */
  wrongDir: string | null;
  /** The mistake catalogue: the wrong variant first, then `mistakes/<folder>/*`. */
  mistakes: Mistake[];
  /** `test/exercises/<folder>.test.ts` (absolute; may be missing, an authoring problem). */
  checkFile: string;
  /** `exercises/<folder>/HINTS.md` when it exists, else `null`. */
  hintsFile: string | null;
  /** `exercises/<folder>/README.md`. */
  readme: string;
}

/** One session package that takes part in the workbook. */
export interface Session {
  /** Two-digit session number, e.g. `01`. */
  number: string;
  title: string;
  /** `session01-image-basics`. */
  folder: string;
  /** Absolute folder. */
  dir: string;
  /** `@workbook/session01`. */
  packageName: string;
  /** Name of the demo that the root `pnpm demo` runs, if the session has one. */
  flagship: string | null;
  exercises: Exercise[];
}

/** Everything discovered under one repository root. */
export interface Workbook {
  root: string;
  sessions: Session[];
  exercises: Exercise[];
}

/** A mistake in how an exercise is laid out, found by {@link authoringProblems}. */
export interface AuthoringProblem {
  /** Exercise id, or the session folder for problems that belong to no exercise. */
  where: string;
  message: string;
}

/** Thrown when an id or name given on the command line matches nothing (or several things). */
export class UnknownIdError extends Error {
  override name = 'UnknownIdError';
  /** The valid ids, grouped by session, ready to print. */
  readonly listing: string;
  constructor(message: string, listing: string) {
    super(message);
    this.listing = listing;
  }
}

const EXERCISE_FOLDER = /^(\d{2})-([a-z0-9][a-z0-9-]*)$/;

/**
 * Scans `root` for session packages (`session*` folders whose package.json has a
 * `workbook.session` field) and their exercises, sorted by session and exercise number.
 * @default root the course repository
 */
export function discoverWorkbook(root = REPO_ROOT): Workbook {
  const sessions: Session[] = [];
  for (const name of safeReaddir(root).sort()) {
    if (!name.startsWith('session')) continue;
    const session = readSession(root, name);
    if (session) sessions.push(session);
  }
  sessions.sort((a, b) => Number(a.number) - Number(b.number));
  return { root, sessions, exercises: sessions.flatMap((s) => s.exercises) };
}

function readSession(root: string, folder: string): Session | null {
  const dir = path.join(root, folder);
  const manifestPath = path.join(dir, 'package.json');
  if (!existsSync(manifestPath)) return null;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    name?: string;
    workbook?: { session?: string; title?: string; flagship?: string };
  };
  const info = manifest.workbook;
  if (!info?.session) return null;
  const number = info.session.padStart(2, '0');
  const exercisesDir = path.join(dir, 'exercises');
  const exercises = safeReaddir(exercisesDir)
    .filter((name) => EXERCISE_FOLDER.test(name) && isDir(path.join(exercisesDir, name)))
    .sort()
    .map((name) => readExercise(dir, number, name));
  return {
    number,
    title: info.title ?? folder,
    folder,
    dir,
    packageName: manifest.name ?? folder,
    flagship: info.flagship ?? null,
    exercises,
  };
}

function readExercise(sessionDir: string, session: string, folder: string): Exercise {
  const [, num, slug] = EXERCISE_FOLDER.exec(folder)!;
  const dir = path.join(sessionDir, 'exercises', folder);
  const solutionDir = path.join(sessionDir, 'solutions', folder);
  const wrongDir = path.join(sessionDir, 'wrong', folder);
  const readme = path.join(dir, 'README.md');
  const hints = path.join(dir, 'HINTS.md');
  const number = Number(num);
  return {
    id: `${session}.${number}`,
    session,
    number,
    slug: slug!,
    folder,
    title: readTitle(readme) ?? folder,
    sessionDir,
    dir,
    starterFiles: tsFiles(dir),
    solutionDir,
    solutionFiles: tsFiles(solutionDir),
    wrongDir: isDir(wrongDir) ? wrongDir : null,
    mistakes: discoverMistakes(sessionDir, folder),
    checkFile: path.join(sessionDir, 'test', 'exercises', `${folder}.test.ts`),
    hintsFile: existsSync(hints) ? hints : null,
    readme,
  };
}

/** The text of the first `# ` heading of a markdown file, or `null`. */
export function readTitle(markdownPath: string): string | null {
  if (!existsSync(markdownPath)) return null;
  const line = readFileSync(markdownPath, 'utf8')
    .split(/\r?\n/)
    .find((l) => l.startsWith('# '));
  return line ? line.slice(2).trim() : null;
}

/** All `.ts` files below `dir` (absolute, sorted); empty when `dir` does not exist. */
export function tsFiles(dir: string): string[] {
  return listFiles(dir).filter((file) => file.endsWith('.ts'));
}

/** All files below `dir` (absolute, sorted); empty when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!isDir(dir)) return [];
  // A hand walk instead of `readdirSync({recursive})`: `Dirent.parentPath` needs Node 20.12.
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFiles(full));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Layout mistakes that would make the workbook lie to students: a missing check or solution,
 * a solution or wrong variant without one of the starter files, an exercise number used
 * twice, a check file with no exercise folder.
 */
export function authoringProblems(workbook: Workbook): AuthoringProblem[] {
  const problems: AuthoringProblem[] = [];
  const add = (where: string, message: string) => problems.push({ where, message });
  for (const session of workbook.sessions) {
    const seen = new Map<number, string>();
    for (const ex of session.exercises) {
      const other = seen.get(ex.number);
      if (other) add(ex.id, `the number ${ex.id} is used by both ${other} and ${ex.folder}`);
      seen.set(ex.number, ex.folder);
      if (!existsSync(ex.checkFile)) {
        add(ex.id, `check file missing: expected ${rel(ex.checkFile, workbook.root)}`);
      }
      if (ex.starterFiles.length === 0) {
        add(ex.id, `no starter .ts file in ${rel(ex.dir, workbook.root)}`);
      }
      if (!existsSync(ex.readme)) add(ex.id, `README.md missing in ${rel(ex.dir, workbook.root)}`);
      const variants: Array<[string, string | null]> = [
        ['solution', ex.solutionDir],
        ['wrong', ex.wrongDir],
        ...ex.mistakes
          .filter((m) => m.kind === 'mistake')
          .map((m): [string, string] => [`mistake ${m.slug}`, m.dir]),
      ];
      for (const [variant, dir] of variants) {
        if (!dir) continue;
        for (const starter of ex.starterFiles) {
          const twin = path.join(dir, path.relative(ex.dir, starter));
          if (!existsSync(twin)) {
            add(ex.id, `${variant} file missing: expected ${rel(twin, workbook.root)}`);
          }
        }
      }
      for (const mistake of ex.mistakes) {
        for (const problem of mistakeDocProblems(mistake)) {
          add(ex.id, `${rel(mistake.dir, workbook.root)}: ${problem}`);
        }
      }
    }
    const checksDir = path.join(session.dir, 'test', 'exercises');
    const folders = new Set(session.exercises.map((ex) => ex.folder));
    for (const name of catalogueFolders(session.dir)) {
      if (!folders.has(name)) {
        add(session.folder, `mistakes/${name}/ has no exercise folder exercises/${name}/`);
      }
    }
    for (const name of safeReaddir(checksDir)) {
      if (!name.endsWith('.test.ts')) continue;
      if (!folders.has(name.slice(0, -'.test.ts'.length))) {
        add(
          session.folder,
          `check file ${rel(path.join(checksDir, name), workbook.root)} has no exercise ` +
            `folder exercises/${name.slice(0, -'.test.ts'.length)}/`,
        );
      }
    }
  }
  return problems;
}

/** Context for resolving ids: the session the command was started in, if any. */
export interface ResolveContext {
  /** Two-digit number of the session folder the command runs in. */
  session?: string | null;
}

/**
 * Finds one exercise by id (`01.3`, `1.3`), slug (`grayscale-thumbnail`), folder
 * (`03-grayscale-thumbnail`) or, inside a session, its bare number (`3`).
 * @throws {UnknownIdError} listing the valid ids when nothing (or more than one) matches.
 */
export function resolveExercise(
  workbook: Workbook,
  query: string,
  context: ResolveContext = {},
): Exercise {
  const q = query.trim().replace(/\/+$/, '');
  const dotted = /^(\d{1,2})\.(\d{1,2})$/.exec(q);
  let matches: Exercise[];
  if (dotted) {
    const id = `${dotted[1]!.padStart(2, '0')}.${Number(dotted[2])}`;
    matches = workbook.exercises.filter((ex) => ex.id === id);
  } else if (/^\d{1,2}$/.test(q) && context.session) {
    matches = workbook.exercises.filter(
      (ex) => ex.session === context.session && ex.number === Number(q),
    );
  } else {
    const name = q.split('/').pop()!;
    matches = workbook.exercises.filter((ex) => ex.slug === name || ex.folder === name);
    // British and American spellings name the same exercise (greyscale = grayscale).
    if (matches.length === 0) {
      const folded = foldName(name);
      matches = workbook.exercises.filter(
        (ex) => foldName(ex.slug) === folded || foldName(ex.folder) === folded,
      );
    }
    if (matches.length > 1 && context.session) {
      const local = matches.filter((ex) => ex.session === context.session);
      if (local.length === 1) matches = local;
    }
  }
  if (matches.length === 1) return matches[0]!;
  const problem =
    matches.length === 0
      ? `No exercise matches \`${query}\`.${didYouMean(workbook, q)}`
      : `\`${query}\` matches several exercises (${matches.map((ex) => ex.id).join(', ')}); use the id.`;
  throw new UnknownIdError(problem, formatExerciseList(workbook));
}

/**
 * Finds a session by number (`01`, `1`), `session01`, or folder name.
 * @throws {UnknownIdError} listing the valid sessions.
 */
export function resolveSession(workbook: Workbook, query: string): Session {
  const session = findSession(workbook, query);
  if (session) return session;
  throw new UnknownIdError(`No session matches \`${query}\`.`, formatExerciseList(workbook));
}

function findSession(workbook: Workbook, query: string): Session | undefined {
  const q = query.trim().replace(/\/+$/, '');
  const num = /^(?:session)?(\d{1,2})$/.exec(q)?.[1];
  if (num) return workbook.sessions.find((s) => s.number === num.padStart(2, '0'));
  return workbook.sessions.find((s) => s.folder === q);
}

/** What `pnpm check [session] [exercise]` selected. */
export interface Selection {
  exercises: Exercise[];
  /** Human description: `all exercises`, `session 01`, `exercise 01.3`. */
  label: string;
}

/**
 * Turns the positional arguments of `pnpm check` into exercises:
 * none → the current session (or everything at the root); `01` → a session;
 * `01.3` / slug → one exercise; `01 3` or `01 slug` → one exercise of a session.
 * @throws {UnknownIdError} when an argument matches nothing.
 */
export function resolveSelection(
  workbook: Workbook,
  args: string[],
  context: ResolveContext = {},
): Selection {
  const [first, second, ...rest] = args;
  if (rest.length > 0) {
    throw new UnknownIdError(
      `Too many arguments: ${args.join(' ')}. Give a session, an exercise, or both.`,
      formatExerciseList(workbook),
    );
  }
  if (first === undefined) {
    const session = context.session ? findSession(workbook, context.session) : undefined;
    if (session) return { exercises: session.exercises, label: `session ${session.number}` };
    return { exercises: workbook.exercises, label: 'all exercises' };
  }
  // A full id wins over the session given before it: a session's `check` script always
  // passes its own number first, so `pnpm check 02.1` typed in session 01 arrives as `01 02.1`.
  if (second !== undefined && /^\d{1,2}\.\d{1,2}$/.test(second.trim())) {
    const ex = resolveExercise(workbook, second, context);
    return { exercises: [ex], label: `exercise ${ex.id}` };
  }
  const session = findSession(workbook, first);
  if (session && second === undefined) {
    return { exercises: session.exercises, label: `session ${session.number}` };
  }
  if (session && second !== undefined) {
    const ex = resolveExercise(workbook, second, { session: session.number });
    if (ex.session !== session.number) {
      throw new UnknownIdError(
        `Exercise ${ex.id} is not in session ${session.number}.`,
        formatExerciseList(workbook),
      );
    }
    return { exercises: [ex], label: `exercise ${ex.id}` };
  }
  if (second !== undefined) {
    throw new UnknownIdError(`No session matches \`${first}\`.`, formatExerciseList(workbook));
  }
  const ex = resolveExercise(workbook, first, context);
  return { exercises: [ex], label: `exercise ${ex.id}` };
}

/**
 * The exercises a maintainer's command names (`pnpm prove 02.1 05`, `pnpm run mutation 01`):
 * each argument is a session or an exercise on its own; none → every exercise.
 * @throws {UnknownIdError} when an argument matches nothing.
 */
export function selectEach(workbook: Workbook, args: string[]): Exercise[] {
  return args.length === 0
    ? workbook.exercises
    : args.flatMap((arg) => resolveSelection(workbook, [arg]).exercises);
}

/** The valid ids grouped by session, for "unknown id" messages and `pnpm workbook list`. */
export function formatExerciseList(
  workbook: Workbook,
  decorate: (ex: Exercise) => string = () => '',
): string {
  if (workbook.sessions.length === 0) return '  (no sessions found)';
  const width = Math.max(10, ...workbook.exercises.map((ex) => ex.slug.length));
  const lines: string[] = [];
  for (const session of workbook.sessions) {
    lines.push(`Session ${session.number} · ${session.title}  (${session.folder})`);
    if (session.exercises.length === 0) lines.push('  (no exercises yet)');
    for (const ex of session.exercises) {
      const mark = decorate(ex);
      lines.push(
        `  ${mark ? `${mark} ` : ''}${ex.id.padEnd(6)}${ex.slug.padEnd(width + 2)}${ex.title}`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * The session a folder belongs to (for commands started inside `sessionNN-*`), or `null`.
 * @example sessionOfDir(workbook, '/repo/session01-image-basics/exercises') // '01'
 */
export function sessionOfDir(workbook: Workbook, dir: string): string | null {
  const relative = path.relative(workbook.root, dir);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const top = relative.split(path.sep)[0];
  return workbook.sessions.find((s) => s.folder === top)?.number ?? null;
}
