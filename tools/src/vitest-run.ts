/**
 * Runs vitest in a child process with one target of the exercise switch and reads back
 * per-test results from its JSON reporter. Used by the gate, the proof and `pnpm check`.
 *
 * A child process (not the vitest Node API in-process) because the target is read when the
 * config loads, and each run needs a clean module graph for its target.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { binEntry, REPO_ROOT } from './paths.ts';
import type { Target } from './target.ts';

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
}

/** What a run produced. */
export interface VitestRun {
  /** The JSON report, or `null` when vitest died before writing one. */
  report: VitestReport | null;
  exitCode: number;
  /** Captured output (empty with `inherit`). */
  output: string;
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
  try {
    const { exitCode, output } = await spawnCollect(process.execPath, args, {
      cwd: root,
      env: { ...childEnv(), ...options.env, WORKBOOK_TARGET: options.target },
      inherit: options.inherit ?? false,
    });
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
}

function spawnCollect(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 1 : 0), output }));
  });
}

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
