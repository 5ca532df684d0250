/**
 * `pnpm run soak-tests [runs] [--load]`: runs the whole gate again and again on a fresh clone
 * of HEAD, to find the tests that can fail without a code change (a flaky test blocks a landing
 * for nothing and teaches students to distrust the checks).
 *
 * 1. clones HEAD (committed work only) into a temporary folder and installs it;
 * 2. runs `pnpm test` there `runs` times (default 3), each with `WORKBOOK_GATE_REPORT` so the
 *    gate says which tests failed; with `--load`, one CPU-bound process per core runs beside
 *    it the whole time, as on a busy CI machine;
 * 3. keeps the log and report of each failing run, and ends with every test that failed at
 *    least once and how often.
 *
 * Options: `--keep-clone` leaves the clone in place; `--out <dir>` puts the logs there
 * (default: a new temporary folder, printed); `--skip lint,typecheck` passes the gate's own
 * `--skip` (to soak the tests while a step is red for other reasons: a run then counts as
 * green when nothing but the skipped steps failed). Run it with `nice` on a shared machine.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import type { GateReport } from './gate.ts';
import { isMain, REPO_ROOT } from './paths.ts';
import { seconds, stripAnsi } from './ui.ts';

/** The soak's command line. */
export interface SoakOptions {
  runs: number;
  load: boolean;
  keepClone: boolean;
  /** Where logs and the report go; a new temporary folder when null. */
  out: string | null;
  /**
   * Gate steps to skip (`--skip lint,typecheck`), for soaking the tests while a step is red
   * for reasons of its own; the report says so.
   */
  skip: string[];
}

/**
 * Reads `[runs] [--load] [--keep-clone] [--out <dir>]`.
 * @throws {Error} saying what was wrong and what is expected.
 */
export function parseSoakArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = { runs: 3, load: false, keepClone: false, out: null, skip: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--load') options.load = true;
    else if (arg === '--keep-clone') options.keepClone = true;
    else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? argv[++i] : arg.slice(6);
      if (!value) throw new Error('Expected a folder after --out, e.g. --out /tmp/soak');
      options.out = value;
    } else if (arg === '--skip' || arg.startsWith('--skip=')) {
      const value = arg === '--skip' ? argv[++i] : arg.slice(7);
      if (!value) throw new Error('Expected gate steps after --skip, e.g. --skip lint,typecheck');
      options.skip.push(...value.split(',').filter(Boolean));
    } else if (/^\d+$/.test(arg) && Number(arg) >= 1) options.runs = Number(arg);
    else
      throw new Error(
        `Expected a number of runs (1 or more), --load, --keep-clone, --out <dir> or --skip <steps>, got \`${arg}\``,
      );
  }
  return options;
}

/** One gate run of the soak. */
export interface SoakRun {
  /** 1-based. */
  index: number;
  exitCode: number;
  durationMs: number;
  /** The failures, each as `file > test` (or a step / file that failed as a whole). */
  failures: SoakFailure[];
  /** Kept log of a failing run; null for a green run (its log is deleted). */
  logFile: string | null;
  /**
   * The machine's 1-minute load average over the run (sampled every 15 s): how loaded it
   * really was, whatever made the load.
   */
  load?: { mean: number; min: number };
}

/** One thing that failed in one run. */
export interface SoakFailure {
  /** `file > describe test`, `file (did not load)`, `proof: 05.1 (starter)` or `gate: <step>`. */
  key: string;
  /** The first lines of the failure. */
  message: string;
}

/**
 * What failed in one run: from the gate's JSON report when it wrote one, else from vitest's
 * `FAIL` lines in the log, else the run as a whole (the install or the gate died).
 */
export function runFailures(
  report: GateReport | null,
  log: string,
  exitCode: number,
): SoakFailure[] {
  if (report) {
    const failures: SoakFailure[] = report.failures.map((f) => ({
      key: f.test ? `${f.file} > ${f.test}` : `${f.file || 'vitest'} (did not load)`,
      message: f.message,
    }));
    for (const v of report.proofViolations)
      failures.push({ key: `proof: ${v.where} (${v.kind})`, message: v.message });
    // A gate that failed only because steps were skipped (failedStep null) is no failure here.
    if (failures.length === 0 && report.failedStep)
      failures.push({ key: `gate: ${report.failedStep}`, message: lastLines(log) });
    return failures;
  }
  const fromLog = failLines(log).map((key) => ({ key, message: '' }));
  if (fromLog.length > 0) return fromLog;
  return exitCode === 0 ? [] : [{ key: 'gate: no report', message: lastLines(log) }];
}

/** Vitest's `FAIL  file > describe > test` lines of a log, as `file > describe test`, unique. */
export function failLines(log: string): string[] {
  const keys = new Set<string>();
  for (const raw of stripAnsi(log).split('\n')) {
    const match = /^\s*FAIL\s+(\S+)\s+>\s+(.+?)\s*$/.exec(raw);
    if (!match) continue;
    const [file, rest] = [match[1]!, match[2]!];
    // vitest adds the project or a retry count in brackets at the end; names join with ' > '.
    keys.add(
      `${file} > ${rest
        .replace(/\s+\[[^\]]*\]$/, '')
        .split(' > ')
        .join(' ')}`,
    );
  }
  return [...keys];
}

function lastLines(log: string, n = 8): string {
  return stripAnsi(log).trimEnd().split('\n').slice(-n).join('\n');
}

/** A test that failed at least once. */
export interface FlakyTest {
  key: string;
  /** Runs (1-based) in which it failed. */
  runs: number[];
  /** Its first failure message. */
  message: string;
}

/** Every failure across runs, most frequent first, then by name (a defined order). */
export function tallyFailures(runs: SoakRun[]): FlakyTest[] {
  const byKey = new Map<string, FlakyTest>();
  for (const run of runs) {
    for (const failure of run.failures) {
      const entry = byKey.get(failure.key) ?? {
        key: failure.key,
        runs: [],
        message: failure.message,
      };
      if (!entry.runs.includes(run.index)) entry.runs.push(run.index);
      byKey.set(failure.key, entry);
    }
  }
  return [...byKey.values()].sort(
    (a, b) => b.runs.length - a.runs.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** The soak's closing report, plain text. */
export function formatSoakReport(
  runs: SoakRun[],
  context: { load: boolean; commit: string; skip?: string[] },
): string[] {
  const green = runs.filter((r) => r.failures.length === 0).length;
  const flaky = tallyFailures(runs);
  const lines = [
    `Soak of commit ${context.commit}: ${runs.length} gate run${runs.length === 1 ? '' : 's'}` +
      `${context.load ? ' with a CPU-bound process per core beside it' : ''}, ${green} green, ${runs.length - green} red`,
  ];
  if (context.skip?.length)
    lines.push(`  (gate steps skipped in every run: ${context.skip.join(', ')})`);
  for (const run of runs) {
    const state = run.failures.length === 0 ? 'green' : 'RED';
    const log = run.logFile ? ` (log: ${run.logFile})` : '';
    const load = run.load
      ? `, load average ${run.load.mean.toFixed(1)} (lowest ${run.load.min.toFixed(1)})`
      : '';
    lines.push(`  run ${run.index}: ${state} in ${seconds(run.durationMs)}${load}${log}`);
  }
  if (flaky.length === 0) {
    lines.push('No test failed.');
    return lines;
  }
  lines.push('Failed at least once:');
  for (const test of flaky) {
    lines.push(`  ${test.runs.length}/${runs.length}  ${test.key}  (runs ${test.runs.join(', ')})`);
    const first = test.message.split('\n').find((line) => line.trim() !== '');
    if (first) lines.push(`        ${first.trim()}`);
  }
  return lines;
}

/** The command running now (its own process group), ended with the soak on a signal. */
let current: ChildProcess | null = null;

/** Runs a command with its output appended to `logFile`; resolves with the exit code. */
function runLogged(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    current = child;
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (current === child) current = null;
      log.end(() => resolve(code ?? (signal ? 1 : 0)));
    });
  });
}

/** One busy loop per core, for `--load`; returns a function that stops them. */
function startLoad(): () => void {
  const burners: ChildProcess[] = [];
  for (let i = 0; i < availableParallelism(); i++) {
    burners.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  return () => {
    for (const burner of burners) if (burner.exitCode === null) burner.kill('SIGKILL');
  };
}

function readReport(file: string): GateReport | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GateReport;
  } catch {
    return null;
  }
}

/** The soak's main; returns the exit code (0 only when every run was green). */
export async function soakMain(argv: string[], repo = REPO_ROOT): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakArgs(argv);
  } catch (error) {
    console.log(chalk.red((error as Error).message));
    return 2;
  }
  const out = options.out ?? mkdtempSync(path.join(tmpdir(), 'workbook-soak-'));
  mkdirSync(out, { recursive: true });
  const clone = mkdtempSync(path.join(tmpdir(), 'workbook-soak-clone-'));
  const setupLog = path.join(out, 'setup.log');
  let stopLoad: (() => void) | null = null;
  const stop = () => {
    stopLoad?.();
    if (!options.keepClone) rmSync(clone, { recursive: true, force: true });
  };
  const onSignal = () => {
    // The gate and everything it started (vitest, workers, Redis servers) are one group.
    if (current?.pid) {
      try {
        process.kill(-current.pid, 'SIGTERM');
      } catch {}
    }
    stop();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(chalk.bold(`Soak: cloning HEAD of ${repo} into ${clone}`));
    if (
      (await runLogged('git', ['clone', '--quiet', '--no-hardlinks', repo, clone], {
        cwd: out,
        logFile: setupLog,
      })) !== 0
    ) {
      console.log(chalk.red(`git clone failed; see ${setupLog}`));
      return 1;
    }
    const head = execFileSync('git', ['log', '-1', '--format=%h %s'], {
      cwd: clone,
      encoding: 'utf8',
    }).trim();
    console.log(chalk.dim(`  commit ${head}; installing (pnpm install --frozen-lockfile)`));
    if (
      (await runLogged('pnpm', ['install', '--frozen-lockfile'], {
        cwd: clone,
        logFile: setupLog,
      })) !== 0
    ) {
      console.log(chalk.red(`pnpm install failed; see ${setupLog}`));
      return 1;
    }
    if (options.load) {
      stopLoad = startLoad();
      console.log(
        chalk.dim(`  load: ${availableParallelism()} CPU-bound processes beside the gate`),
      );
    }
    const runs: SoakRun[] = [];
    let report: string[] = [];
    for (let index = 1; index <= options.runs; index++) {
      const logFile = path.join(out, `run-${index}.log`);
      const reportFile = path.join(out, `run-${index}.json`);
      const started = Date.now();
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(loadavg()[0]!), 15_000);
      const skip = options.skip.length > 0 ? ['--skip', options.skip.join(',')] : [];
      const exitCode = await runLogged('pnpm', ['test', ...skip], {
        cwd: clone,
        env: { ...process.env, WORKBOOK_GATE_REPORT: reportFile, FORCE_COLOR: '0' },
        logFile,
      });
      clearInterval(sampler);
      const log = readFileSync(logFile, 'utf8');
      const failures = runFailures(readReport(reportFile), log, exitCode);
      const red = failures.length > 0;
      if (!red) {
        rmSync(logFile, { force: true });
        rmSync(reportFile, { force: true });
      }
      const run: SoakRun = {
        index,
        exitCode,
        durationMs: Date.now() - started,
        failures,
        logFile: red ? logFile : null,
        ...(samples.length > 0 && {
          load: {
            mean: samples.reduce((a, b) => a + b, 0) / samples.length,
            min: Math.min(...samples),
          },
        }),
      };
      runs.push(run);
      // Written after every run, so a soak stopped early keeps the report of the runs it did.
      report = formatSoakReport(runs, { load: options.load, commit: head, skip: options.skip });
      writeFileSync(path.join(out, 'report.txt'), `${report.join('\n')}\n`);
      const tail = red
        ? chalk.red(`RED, ${failures.length} failure(s): ${failures.map((f) => f.key).join('; ')}`)
        : chalk.green('green');
      console.log(`  run ${index}/${options.runs}: ${tail} (${seconds(run.durationMs)})`);
    }
    stopLoad?.();
    stopLoad = null;
    console.log(`\n${report.join('\n')}`);
    console.log(chalk.dim(`Logs and report in ${out}`));
    return runs.every((r) => r.failures.length === 0) ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stop();
  }
}

if (isMain(import.meta.url)) {
  process.exitCode = await soakMain(process.argv.slice(2));
}
