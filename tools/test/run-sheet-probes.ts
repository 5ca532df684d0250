/**
 * How the run-sheet test runs the commands of a run sheet (see run-sheets.test.ts for what
 * "runs" means per kind of command). Every command is typed in a session folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';
import { demoMain, listDemos, parseDemoArgs } from '../src/demo.ts';
import {
  resolveExercise,
  resolveSelection,
  type Session,
  type Workbook,
} from '../src/exercises.ts';
import { loadHints } from '../src/hints.ts';
import { REPO_ROOT } from '../src/paths.ts';
import type { SheetCommand } from '../src/run-sheets.ts';
import { childEnv } from '../src/vitest-run.ts';
import { parseArgs, runCli } from '../src/workbook.ts';

/** What the probes share across one test run. */
export interface ProbeContext {
  workbook: Workbook;
  /** Demos whose measured row says `ok`. */
  okDemos: Set<string>;
  /** Results of probes that do not depend on the session (the doctor, `redis-server --version`). */
  cache: Map<string, string | null>;
  progressFile: string;
}

/** Runs one command of a run sheet (or its dry form); `null` when it ran, else what went wrong. */
export async function probe(
  command: SheetCommand,
  session: Session,
  context: ProbeContext,
  depth = 0,
): Promise<string | null> {
  const manifest = JSON.parse(readFileSync(path.join(session.dir, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const scripts = manifest.scripts ?? {};
  const kind = classifyCommand(command.text, scripts);
  switch (kind.kind) {
    case 'unknown':
      return kind.reason;
    case 'demo':
      return probeDemo(kind.args, session, context);
    case 'workbook':
      return probeWorkbook(kind.args, session, context.workbook, context);
    case 'script':
    case 'external': {
      const args = kind.kind === 'script' ? kind.args : kind.argv.slice(1);
      const line = kind.kind === 'script' ? [kind.body, ...args].join(' ') : kind.argv.join(' ');
      if (isHelpOnly(args)) {
        // A program outside the session answers the same everywhere: run it once.
        if (kind.kind === 'script') return shell(line, session);
        if (!context.cache.has(line)) context.cache.set(line, await shell(line, session));
        return context.cache.get(line)!;
      }
      if (command.dry && depth === 0) {
        return probe({ ...command, text: command.dry, dry: null }, session, context, 1);
      }
      return 'it runs long or changes state: add `# dry: <a --help or harmless form>` to the line';
    }
  }
}

async function probeDemo(args: string[], session: Session, context: ProbeContext) {
  const demo = parseDemoArgs(args);
  if (demo.list || demo.name === null) {
    // The real runner's main, in this process (the session script is `tsx ../tools/src/demo.ts`).
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      lines.push(parts.join(' '));
    });
    let code: number;
    try {
      code = await demoMain(['--list'], REPO_ROOT, session.dir);
    } finally {
      spy.mockRestore();
    }
    const output = lines.join('\n');
    const missing = listDemos(session).filter((d) => !output.includes(d.name));
    if (code !== 0) return `exit ${code}: ${output}`;
    return missing.length === 0 ? null : `the demo list misses ${missing.map((d) => d.name)}`;
  }
  if (!listDemos(session).some((d) => d.name === demo.name)) {
    return `session ${session.number} has no demo \`${demo.name}\``;
  }
  return context.okDemos.has(demo.name)
    ? null
    : `the measured table does not say \`ok\` for \`${demo.name}\`: run pnpm demo-durations`;
}

async function probeWorkbook(
  argv: string[],
  session: Session,
  wb: Workbook,
  context: ProbeContext,
): Promise<string | null> {
  const [command = 'status', ...rest] = argv;
  const args = parseArgs(rest);
  const where = { session: session.number };
  try {
    switch (command) {
      case 'check': {
        const selection = resolveSelection(wb, args.positional, where);
        const missing = selection.exercises.filter((ex) => !existsSync(ex.checkFile));
        if (selection.exercises.length === 0) return 'selects no exercise';
        return missing.length === 0 ? null : `no check file for ${missing.map((ex) => ex.id)}`;
      }
      case 'hint':
        return loadHints(resolveExercise(wb, args.positional[0] ?? '', where)).length > 0
          ? null
          : 'the exercise has no hints';
      case 'catch-up':
      case 'reset': {
        const ex = resolveExercise(wb, args.positional[0] ?? '', where);
        return ex.solutionFiles.length > 0 && ex.starterFiles.length > 0
          ? null
          : `${ex.id} has no reference or no starter files`;
      }
      case 'doctor': {
        // The machine check does not depend on the session: run it once.
        if (!context.cache.has('doctor')) {
          const lines: string[] = [];
          await runCli(['doctor'], {
            root: wb.root,
            cwd: session.dir,
            print: (l) => lines.push(l),
          });
          // It exits 1 when something the course needs is missing: it still ran.
          const text = lines.join('\n');
          context.cache.set('doctor', text.includes('Node.js') ? null : text);
        }
        return context.cache.get('doctor')!;
      }
      case 'status':
      case 'progress':
      case 'list':
      case 'diff':
      case 'mistakes':
      case 'help': {
        const lines: string[] = [];
        const code = await runCli([command, ...rest], {
          root: wb.root,
          cwd: session.dir,
          print: (line) => lines.push(line),
          progressFile: context.progressFile,
        });
        return code === 0 ? null : `exit ${code}: ${lines.join('\n')}`;
      }
      default:
        return `the test does not know \`workbook ${command}\`: teach probeWorkbook, or use a dry form`;
    }
  } catch (error) {
    return (error as Error).message;
  }
}

async function shell(line: string, session: Session): Promise<string | null> {
  const result = await run('sh', ['-c', line], session.dir);
  return result.code === 0 ? null : `exit ${result.code}: ${result.output.slice(-600)}`;
}

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  const bins = [
    path.join(cwd, 'node_modules', '.bin'),
    path.join(REPO_ROOT, 'node_modules', '.bin'),
  ];
  const env = { ...childEnv(), PATH: [...bins, process.env.PATH ?? ''].join(path.delimiter) };
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** What a command asks for, as far as the run-sheet test needs to know. */
export type CommandKind =
  | { kind: 'demo'; args: string[] }
  | { kind: 'workbook'; args: string[] }
  | { kind: 'script'; script: string; body: string; args: string[] }
  | { kind: 'external'; argv: string[] }
  | { kind: 'unknown'; reason: string };

/**
 * Classifies a command typed in a session folder, from the session's package.json scripts:
 * `pnpm demo …` and `pnpm check|hint|workbook|run doctor …` resolve to the course tools (with
 * the words the session's script puts first, e.g. `check 01`); other `pnpm <script>` to that
 * script's body; anything else is an external command. `VAR=value` prefixes are dropped.
 */
export function classifyCommand(text: string, scripts: Record<string, string>): CommandKind {
  const words = text.split(/\s+/).filter(Boolean);
  while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) words.shift();
  if (words[0] !== 'pnpm') return { kind: 'external', argv: words };
  let rest = words.slice(1).filter((w) => w !== '-s' && w !== '--silent');
  if (rest[0] === 'run') rest = rest.slice(1);
  const [script, ...args] = rest;
  if (!script) return { kind: 'unknown', reason: 'no script named after `pnpm`' };
  const body = scripts[script];
  if (body === undefined) {
    return { kind: 'unknown', reason: `the session's package.json has no script \`${script}\`` };
  }
  const tool = /^tsx \.\.\/tools\/src\/(demo|workbook)\.ts\b(.*)$/.exec(body.trim());
  if (tool) {
    const fixed = tool[2]!.split(/\s+/).filter(Boolean);
    return { kind: tool[1] === 'demo' ? 'demo' : 'workbook', args: [...fixed, ...args] };
  }
  return { kind: 'script', script, body, args };
}

/**
 * True when a command only prints help, a version or a list, or only checks (`--check`):
 * safe and quick to run as it is.
 */
export function isHelpOnly(args: string[]): boolean {
  return args.some((a) => ['--help', '-h', '--version', 'help', '--list', '--check'].includes(a));
}
