/**
 * `pnpm demo`: lists and runs a session's demos (`demos/*.ts`).
 *
 * In a session folder: `pnpm demo` lists the demos, `pnpm demo <name> [--solution] [args…]`
 * runs one. At the root (`--flagship`, passed by the root script): runs the flagship demo of
 * the highest-numbered session that has one; `pnpm demo --list` lists every session's demos.
 *
 * Demos run in a child Node with tsx and the switch's loader hook, so a demo that loads the
 * wrong side of the exercise switch fails instead of showing the wrong code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { discoverWorkbook, type Session, sessionOfDir, type Workbook } from './exercises.ts';
import { isMain, REPO_ROOT, rel } from './paths.ts';
import { type Target, workbookConditions } from './target.ts';
import { exitQuietlyOnClosedPipe } from './ui.ts';

/** One runnable demo. */
export interface Demo {
  name: string;
  /** Absolute path of `demos/<name>.ts`. */
  file: string;
  /** First line of the file's first doc comment. */
  description: string;
  session: Session;
}

/** The first line of the first `/** … *\/` comment of a source text, or `''`. */
export function docSummary(source: string): string {
  const match = /\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!match) return '';
  const lines = match[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter(Boolean);
  return lines[0] ?? '';
}

/** The demos of a session, sorted by name. */
export function listDemos(session: Session): Demo[] {
  const dir = path.join(session.dir, 'demos');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      return {
        name: name.slice(0, -3),
        file,
        description: docSummary(readFileSync(file, 'utf8')),
        session,
      };
    });
}

/** The flagship demo of the highest-numbered session that has one, and which were skipped. */
export function findFlagship(workbook: Workbook): { demo: Demo | null; skipped: string[] } {
  const skipped: string[] = [];
  for (const session of [...workbook.sessions].reverse()) {
    if (!session.flagship) continue;
    const demo = listDemos(session).find((d) => d.name === session.flagship);
    if (demo) return { demo, skipped };
    skipped.push(
      `session ${session.number} names \`${session.flagship}\` but demos/${session.flagship}.ts does not exist yet`,
    );
  }
  return { demo: null, skipped };
}

/** Parsed command line of the demo runner. */
export interface DemoArgs {
  flagship: boolean;
  list: boolean;
  help: boolean;
  target: Target;
  name: string | null;
  /** Arguments for the demo itself. */
  rest: string[];
}

/**
 * Splits runner options from the demo's own arguments. `--solution`, `--list`, `--flagship`
 * and `--help` belong to the runner wherever they appear (before a `--`); the first other
 * word is the demo name; everything else goes to the demo.
 */
export function parseDemoArgs(argv: string[]): DemoArgs {
  const parsed: DemoArgs = {
    flagship: false,
    list: false,
    help: false,
    target: 'exercise',
    name: null,
    rest: [],
  };
  let passthrough = false;
  for (const arg of argv) {
    if (passthrough) parsed.rest.push(arg);
    else if (arg === '--') passthrough = true;
    else if (arg === '--flagship') parsed.flagship = true;
    else if (arg === '--list') parsed.list = true;
    else if (arg === '--help' || arg === '-h') parsed.help = true;
    else if (arg === '--solution') parsed.target = 'solution';
    else if (parsed.name === null && !arg.startsWith('-')) parsed.name = arg;
    else parsed.rest.push(arg);
  }
  return parsed;
}

/** The Node arguments that run a demo with tsx, the switch loader and the target's condition. */
export function demoNodeArgs(demo: Demo, target: Target, rest: string[]): string[] {
  const tsx = import.meta.resolve('tsx');
  const register = fileURLToPath(new URL('./switch-register.ts', import.meta.url));
  return [
    '--import',
    tsx,
    '--import',
    register,
    ...workbookConditions(target).map((c) => `--conditions=${c}`),
    demo.file,
    ...rest,
  ];
}

/** Formats a list of demos with their descriptions. */
export function formatDemos(demos: Demo[], cwd: string): string[] {
  const width = Math.max(8, ...demos.map((d) => d.name.length));
  return demos.map(
    (d) =>
      `  ${chalk.cyan(d.name.padEnd(width))}  ${d.description || chalk.dim('(no description)')}` +
      (d.session.flagship === d.name ? chalk.yellow('  ★ flagship') : '') +
      chalk.dim(`  ${rel(d.file, cwd)}`),
  );
}

/**
 * Runs a demo and resolves with the exit code to use. SIGINT/SIGTERM/SIGHUP sent to the
 * runner reach the demo once, so demos can shut down gracefully.
 */
export function runDemo(demo: Demo, target: Target, rest: string[]): Promise<number> {
  const child = spawn(process.execPath, demoNodeArgs(demo, target, rest), {
    cwd: demo.session.dir,
    stdio: 'inherit',
    env: { ...process.env, WORKBOOK_TARGET: target },
  });
  const stopForwarding = forwardSignals(child);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(chalk.red(`Could not start the demo: ${error.message}`));
      stopForwarding();
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      stopForwarding();
      if (signal) {
        // Re-raise the same signal so our parent (pnpm, a shell) sees how the demo ended.
        process.kill(process.pid, signal);
        resolve(128 + signalNumber(signal));
      } else {
        resolve(code ?? 1);
      }
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 1;
}

/**
 * Forwards termination signals to the child. Ctrl-C in a terminal already reaches every
 * process of the foreground group (the demo too), so SIGINT is forwarded only when no
 * terminal delivered it (stdin is not a TTY), and the demo never sees it twice.
 */
function forwardSignals(child: ChildProcess): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      if (signal === 'SIGINT' && process.stdin.isTTY) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** Finds a demo by `name` or `NN/name` among all sessions (for `pnpm demo <name>` at the root). */
export function findDemoAnywhere(workbook: Workbook, query: string): Demo[] {
  const [maybeSession, maybeName] = query.includes('/') ? query.split('/', 2) : [null, query];
  return workbook.sessions
    .filter(
      (s) =>
        maybeSession === null ||
        s.number === maybeSession!.padStart(2, '0') ||
        s.folder === maybeSession,
    )
    .flatMap((s) => listDemos(s))
    .filter((d) => d.name === maybeName);
}

/** The demo runner's main; returns the exit code. */
export async function demoMain(
  argv: string[],
  root = REPO_ROOT,
  cwd = process.cwd(),
): Promise<number> {
  const args = parseDemoArgs(argv);
  const workbook = discoverWorkbook(root);
  const sessionNumber = sessionOfDir(workbook, cwd);
  const session = workbook.sessions.find((s) => s.number === sessionNumber) ?? null;
  const shownFrom = process.env.INIT_CWD ?? cwd;

  if (args.help) {
    console.log(
      [
        `${chalk.bold('pnpm demo')}                  in a session folder: list its demos; at the root: run the flagship demo`,
        `${chalk.bold('pnpm demo <name> [args]')}    run one demo (at the root: <name> or <session>/<name>)`,
        `${chalk.bold('pnpm demo <name> --solution')} run it on the reference solutions`,
        `${chalk.bold('pnpm demo --list')}           list the demos (at the root: of every session)`,
      ].join('\n'),
    );
    return 0;
  }

  if (!session) {
    // At the root.
    if (args.list || (!args.flagship && !args.name)) return listAll(workbook, shownFrom);
    if (args.name) {
      const matches = findDemoAnywhere(workbook, args.name);
      if (matches.length === 1) return start(matches[0]!, args);
      console.log(
        chalk.red(
          matches.length === 0
            ? `No demo named \`${args.name}\`.`
            : `Several sessions have a demo named \`${args.name}\`; use <session>/<name>, e.g. ${matches[0]!.session.number}/${args.name}.`,
        ),
      );
      listAll(workbook, shownFrom);
      return 1;
    }
    const { demo, skipped } = findFlagship(workbook);
    for (const note of skipped) console.log(chalk.dim(`  (${note})`));
    if (!demo) {
      console.log(
        chalk.yellow(
          'No session has a flagship demo yet: a session names it in package.json ' +
            '(`workbook.flagship`) and it lives in demos/<name>.ts.',
        ),
      );
      console.log('`pnpm demo --list` lists the demos that exist.');
      return 1;
    }
    console.log(
      chalk.bold(`▶ Flagship demo of session ${demo.session.number} (${demo.session.title}): `) +
        chalk.cyan(demo.name) +
        chalk.dim(` — ${demo.description}`),
    );
    console.log(
      chalk.dim('  `pnpm demo --list` lists every demo; run one with `pnpm demo <name>`.'),
    );
    return start(demo, args);
  }

  const demos = listDemos(session);
  if (args.list || !args.name) {
    console.log(chalk.bold(`Demos of session ${session.number} · ${session.title}`));
    if (demos.length === 0) console.log(chalk.dim('  (no demos yet)'));
    for (const line of formatDemos(demos, shownFrom)) console.log(line);
    if (demos.length)
      console.log(
        chalk.dim('\nRun one: pnpm demo <name>   (add --solution to use the reference solutions)'),
      );
    return 0;
  }
  const demo = demos.find((d) => d.name === args.name);
  if (!demo) {
    console.log(
      chalk.red(`Session ${session.number} has no demo named \`${args.name}\`. Its demos:`),
    );
    for (const line of formatDemos(demos, shownFrom)) console.log(line);
    return 1;
  }
  return start(demo, args);
}

function listAll(workbook: Workbook, cwd: string): number {
  for (const session of workbook.sessions) {
    const demos = listDemos(session);
    console.log(chalk.bold(`Session ${session.number} · ${session.title}`));
    if (demos.length === 0) console.log(chalk.dim('  (no demos yet)'));
    for (const line of formatDemos(demos, cwd)) console.log(line);
  }
  console.log(
    chalk.dim(
      '\nRun one: pnpm demo <name> (or <session>/<name>); in a session folder, pnpm demo <name>.',
    ),
  );
  return 0;
}

function start(demo: Demo, args: DemoArgs): Promise<number> {
  if (args.target === 'solution')
    console.log(chalk.magenta('  using the reference solutions (--solution)'));
  return runDemo(demo, args.target, args.rest);
}

if (isMain(import.meta.url)) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await demoMain(process.argv.slice(2));
}
