/**
 * Runs vitest in a child process with one target of the exercise switch and reads back
 * per-test results from its JSON reporter. Used by the gate, the proof and `pnpm check`.
 *
 * A child process (not the vitest Node API in-process) because the target is read when the
 * config loads, and each run needs a clean module graph for its target.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binEntry, REPO_ROOT } from './paths.ts';
import type { Target } from './target.ts';
import { STALL_MS, type Stall, watchHeartbeats } from './watchdog.ts';

/** One test as the JSON reporter describes it. */
export interface TestResult {
  /** Describe blocks and test name joined by spaces. */
  fullName: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | string;
  failureMessages: string[];
}

/** One test file as the JSON reporter describes it. */
export interface FileResult {
  /** Absolute path. */
  name: string;
  status: 'passed' | 'failed' | string;
  /** The file-level error (e.g. an import that failed), empty when none. */
  message: string;
  assertionResults: TestResult[];
}

/** The part of vitest's JSON report the tools read. */
export interface VitestReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
  success: boolean;
  testResults: FileResult[];
}

/** Options of {@link runVitest}. */
export interface RunVitestOptions {
  /** Which code `#ex/*` loads. */
  target: Target;
  /** Test files (absolute) to run; all files of the config when omitted. */
  files?: string[];
  /** Repository root (vitest `--root`). @default the course repository */
  root?: string;
  /** Config file. @default `<root>/vitest.config.ts` */
  config?: string;
  /**
   * Show vitest's own report on this terminal (the gate) instead of capturing it (the CLI,
   * which prints its own learner-friendly report).
   * @default false
   */
  inherit?: boolean;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /**
   * End the run when a test worker's event loop stops for this long (an infinite loop or a
   * blocking call in the code under test), see watchdog.ts. `false`: no watchdog.
   * @default false
   */
  stallMs?: number | false;
}

/** What a run produced. */
export interface VitestRun {
  /** The JSON report, or `null` when vitest died before writing one. */
  report: VitestReport | null;
  exitCode: number;
  /** Captured output (empty with `inherit`). */
  output: string;
  /** Set when the watchdog ended the run: the worker that hung and the test it ran. */
  stall?: Stall;
}

/**
 * Runs vitest once and returns its JSON report.
 * @example const { report } = await runVitest({ target: 'exercise', files: [checkFile] });
 */
export async function runVitest(options: RunVitestOptions): Promise<VitestRun> {
  const root = options.root ?? REPO_ROOT;
  const config = options.config ?? path.join(root, 'vitest.config.ts');
  const dir = mkdtempSync(path.join(tmpdir(), 'workbook-vitest-'));
  const reportFile = path.join(dir, 'report.json');
  const reporters = options.inherit
    ? ['--reporter=default', '--reporter=json']
    : ['--reporter=json'];
  const args = [
    binEntry('vitest', 'vitest', root),
    'run',
    '--root',
    root,
    '--config',
    config,
    ...reporters,
    `--outputFile.json=${reportFile}`,
    ...(options.files ?? []).map((file) => path.relative(root, file).split(path.sep).join('/')),
  ];
  const stallMs = options.stallMs === undefined || options.stallMs === false ? 0 : options.stallMs;
  const heartbeats = path.join(dir, 'heartbeats');
  if (stallMs) mkdirSync(heartbeats);
  try {
    const { exitCode, output, stall } = await spawnCollect(process.execPath, args, {
      cwd: root,
      env: {
        ...childEnv(),
        ...options.env,
        WORKBOOK_TARGET: options.target,
        ...(stallMs ? { WORKBOOK_HEARTBEAT_DIR: heartbeats } : {}),
      },
      inherit: options.inherit ?? false,
      watch: stallMs ? { dir: heartbeats, stallMs } : null,
    });
    if (stall) return { report: null, exitCode: exitCode || 1, output, stall };
    let report: VitestReport | null = null;
    try {
      report = JSON.parse(readFileSync(reportFile, 'utf8')) as VitestReport;
    } catch {
      report = null;
    }
    return { report, exitCode, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The environment for a nested vitest: without the variables of a vitest that may be running
 * us (the tools' own tests start vitest from inside vitest), which would confuse the child.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_OPTIONS') continue;
    clean[key] = value;
  }
  return clean;
}

interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  inherit: boolean;
  /** Heartbeats to watch; the child then runs in its own process group, ended as a whole. */
  watch: { dir: string; stallMs: number } | null;
}

function spawnCollect(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ exitCode: number; output: string; stall?: Stall }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a hung test worker (a grandchild) is ended with it.
      detached: options.watch !== null,
    });
    let output = '';
    let stall: Stall | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const killGroup = (signal: NodeJS.Signals) => {
      if (!options.watch || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    // A detached group does not get the terminal's Ctrl-C: pass it on, and never leave it behind.
    const onExit = () => killGroup('SIGKILL');
    const onSignal = () => {
      killGroup('SIGTERM');
      process.exitCode = 130;
      setTimeout(() => {
        killGroup('SIGKILL');
        process.exit();
      }, 2000).unref();
    };
    let stopWatching = () => {};
    let hardKill: NodeJS.Timeout | undefined;
    if (options.watch) {
      process.once('exit', onExit);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      stopWatching = watchHeartbeats(
        options.watch.dir,
        (found) => {
          stall = found;
          // TERM lets vitest and the test kit clean up; a worker stuck in a loop needs KILL.
          killGroup('SIGTERM');
          try {
            process.kill(found.pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
          hardKill = setTimeout(() => killGroup('SIGKILL'), 3000);
        },
        { stallMs: options.watch.stallMs },
      );
    }
    const cleanUp = () => {
      stopWatching();
      if (hardKill) clearTimeout(hardKill);
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    child.on('error', (error) => {
      cleanUp();
      reject(error);
    });
    child.on('close', (code, signal) => {
      cleanUp();
      // Whatever the group left running (a worker that ignored TERM) goes now.
      killGroup('SIGKILL');
      resolve({ exitCode: code ?? (signal ? 1 : 0), output, ...(stall ? { stall } : {}) });
    });
  });
}

export { STALL_MS };

/**
 * The first lines of a failure message, without the stack trace: what a learner needs to read.
 * @example firstLines('AssertionError: 🚨 must be 200 px wide\n    at …') // 'AssertionError: 🚨 …'
 */
export function failureSummary(message: string, maxLines = 6): string {
  const lines: string[] = [];
  for (const line of message.split('\n')) {
    if (/^\s+at /.test(line)) break;
    lines.push(line);
  }
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const shown = lines.slice(0, maxLines);
  if (lines.length > maxLines) shown.push('…');
  return shown.join('\n');
}

/** Finds the result of one file in a report (paths compared after normalising). */
export function fileResult(report: VitestReport, file: string): FileResult | undefined {
  const wanted = path.resolve(file);
  return report.testResults.find((r) => path.resolve(r.name) === wanted);
}
