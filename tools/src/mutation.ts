/**
 * `pnpm run mutation [exercise...]` (maintainers; not part of the gate): StrykerJS mutates each
 * exercise's reference solution and runs the exercise's check against every mutant. A mutant
 * the check does not fail on ("survived") is a behaviour change a student could make unseen.
 * Prints the mutation score per exercise and the survivors, and writes the whole report to
 * `.bench/mutation/<id>.json`. Survivors a maintainer has explained as equivalent (no behaviour
 * a check can observe through the exercise's contract) are listed with the reason in
 * `tools/mutation-equivalents.json`; the "behaviour" score leaves them out (the goal: ≥ 95 %).
 * `--saved` prints the report of the last run of each exercise without running Stryker.
 *
 * Each exercise runs in a Stryker sandbox (a copy of the repository in the temp folder), so
 * the working tree is never mutated. `nice`d, one test process at a time, bounded per mutant.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import chalk from 'chalk';
import { discoverWorkbook, type Exercise, selectEach, UnknownIdError } from './exercises.ts';
import { isMain, REPO_ROOT, rel, TOOLS_DIR } from './paths.ts';
import { childEnv } from './vitest-run.ts';

/** Counts of one exercise's mutants by Stryker status. */
export interface MutationCounts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Compile and runtime errors: mutants that do not count either way. */
  errors: number;
}

/** One surviving mutant, to explain or to catch. */
export interface Survivor {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
}

/**
 * A surviving mutant a maintainer has explained as changing no behaviour the exercise's
 * contract lets a check observe (an equivalent mutant). Listed per exercise id in
 * `tools/mutation-equivalents.json`; matched on line, mutator and replacement, so an entry goes
 * stale (and the mutant counts again) as soon as the reference changes under it.
 */
export interface Equivalent {
  line: number;
  mutator: string;
  replacement: string;
  /** Why no check can or should tell it apart. */
  why: string;
}

/** What one exercise's run found. */
export interface MutationResult {
  id: string;
  counts: MutationCounts;
  /** killed + timeout over every mutant that counts, in percent; `null` without mutants. */
  score: number | null;
  /** The same, leaving out the survivors explained as equivalent: the goal (≥ 95 %). */
  behaviourScore?: number | null;
  /** Survivors no one has explained: behaviour a student could change unseen. */
  survivors: Survivor[];
  /** Survivors explained as equivalent, with the reason. */
  equivalent?: (Survivor & { why: string })[];
  /** Entries of the equivalents file that no longer survive (remove them). */
  stale?: Equivalent[];
  /** Why Stryker failed, when it did. */
  failure: string | null;
}

interface StrykerMutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number } };
}

/** Reads Stryker's mutation-testing-elements JSON report. Pure. */
export function readReport(
  report: { files: Record<string, { mutants: StrykerMutant[] }> },
  root: string,
): { counts: MutationCounts; survivors: Survivor[] } {
  const counts: MutationCounts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 };
  const survivors: Survivor[] = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const mutant of mutants) {
      if (mutant.status === 'Killed') counts.killed++;
      else if (mutant.status === 'Timeout') counts.timeout++;
      else if (mutant.status === 'NoCoverage') counts.noCoverage++;
      else if (mutant.status === 'Survived') counts.survived++;
      else counts.errors++;
      if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
        survivors.push({
          file: rel(path.resolve(root, file), root),
          line: mutant.location.start.line,
          mutator: mutant.mutatorName,
          replacement: (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
        });
      }
    }
  }
  return { counts, survivors };
}

/** Killed and timed-out mutants over all that count, in percent (one decimal). */
export function mutationScore(counts: MutationCounts): number | null {
  const detected = counts.killed + counts.timeout;
  const valid = detected + counts.survived + counts.noCoverage;
  return valid === 0 ? null : Math.round((detected / valid) * 1000) / 10;
}

/** Reads `tools/mutation-equivalents.json` (exercise id → explained survivors); {} without it. */
export function loadEquivalents(file: string): Record<string, Equivalent[]> {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Equivalent[]>;
}

/** Moves the explained survivors aside and scores the rest. Pure. */
export function applyEquivalents(result: MutationResult, explained: Equivalent[]): MutationResult {
  const same = (s: Survivor, e: Equivalent) =>
    s.line === e.line && s.mutator === e.mutator && s.replacement === e.replacement;
  const survivors: Survivor[] = [];
  const equivalent: (Survivor & { why: string })[] = [];
  for (const s of result.survivors) {
    const entry = explained.find((e) => same(s, e));
    if (entry) equivalent.push({ ...s, why: entry.why });
    else survivors.push(s);
  }
  const stale = result.failure
    ? []
    : explained.filter((e) => !result.survivors.some((s) => same(s, e)));
  // The same score, over the mutants left once the explained ones are set aside.
  const c = result.counts;
  const behaviourScore = mutationScore({
    ...c,
    survived: c.survived + c.noCoverage - equivalent.length,
    noCoverage: 0,
  });
  return { ...result, survivors, equivalent, stale, behaviourScore };
}

function packageFile(name: string, file: string): string {
  const require = createRequire(path.join(TOOLS_DIR, 'package.json'));
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

/** Options of {@link mutateExercise}. */
export interface MutateOptions {
  /** Receives Stryker's progress lines. */
  log?: (line: string) => void;
  /** Where the JSON report goes. @default `<root>/.bench/mutation` */
  reportDir?: string;
  /** Bound for the whole Stryker run of one exercise. @default 30 min */
  timeoutMs?: number;
}

/** Runs Stryker on one exercise's reference against its check. */
export async function mutateExercise(
  root: string,
  ex: Exercise,
  options: MutateOptions = {},
): Promise<MutationResult> {
  const reportDir = options.reportDir ?? path.join(root, '.bench', 'mutation');
  mkdirSync(reportDir, { recursive: true });
  const reportFile = path.join(reportDir, `${ex.id}.json`);
  const work = mkdtempSync(path.join(tmpdir(), 'workbook-stryker-'));
  const result: MutationResult = {
    id: ex.id,
    counts: { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 },
    score: null,
    survivors: [],
    failure: null,
  };
  try {
    const config = path.join(work, 'stryker.config.json');
    writeFileSync(
      config,
      JSON.stringify(
        {
          // Under pnpm the plugin is not next to core: name it by path.
          plugins: [packageFile('@stryker-mutator/vitest-runner', 'dist/src/index.js')],
          testRunner: 'vitest',
          vitest: { configFile: 'vitest.config.ts', related: false },
          mutate: ex.solutionFiles.map((file) => rel(file, root)),
          coverageAnalysis: 'perTest',
          concurrency: 1,
          timeoutMS: 20_000,
          timeoutFactor: 2,
          reporters: ['json', 'progress-append-only'],
          jsonReporter: { fileName: reportFile },
          tempDirName: path.join(work, 'sandbox'),
          cleanTempDir: 'always',
          ignorePatterns: ['.workbook', '.bench', 'out', 'tools/test/fixtures', 'coverage'],
          disableTypeChecks: true,
          logLevel: 'warn',
          fileLogLevel: 'off',
        },
        null,
        2,
      ),
    );
    const stryker = packageFile('@stryker-mutator/core', 'bin/stryker.js');
    const exitCode = await new Promise<number>((resolve) => {
      const child = spawn('nice', ['-n', '10', process.execPath, stryker, 'run', config], {
        cwd: root,
        env: {
          ...childEnv(),
          WORKBOOK_TARGET: 'solution',
          WORKBOOK_VITEST_INCLUDE: rel(ex.checkFile, root),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let tail = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        tail = (tail + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim()) options.log?.(line);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 30 * 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) result.failure = tail.trim().split('\n').slice(-12).join('\n');
        resolve(code ?? 1);
      });
    });
    if (exitCode === 0 || result.failure === null) {
      const report = JSON.parse(readFileSync(reportFile, 'utf8'));
      const { counts, survivors } = readReport(report, root);
      result.counts = counts;
      result.survivors = survivors;
      result.score = mutationScore(counts);
    }
  } catch (error) {
    result.failure ??= (error as Error).message;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}

/** The result of the last run of one exercise, read from its saved JSON report. */
export function savedResult(root: string, id: string): MutationResult {
  const file = path.join(root, '.bench', 'mutation', `${id}.json`);
  const empty = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 };
  if (!existsSync(file)) {
    return {
      id,
      counts: empty,
      score: null,
      survivors: [],
      failure: `no saved report: run \`pnpm run mutation ${id}\` first`,
    };
  }
  const { counts, survivors } = readReport(JSON.parse(readFileSync(file, 'utf8')), root);
  return { id, counts, score: mutationScore(counts), survivors, failure: null };
}

/** The report lines: a table of scores, then the survivors of each exercise. */
export function formatMutationReport(results: MutationResult[]): string[] {
  const pct = (r: MutationResult, n: number | null | undefined) =>
    r.failure ? 'failed' : n === null || n === undefined ? 'n/a' : `${n.toFixed(1)}%`;
  const lines = [
    'exercise  score  behaviour  killed  timeout  survived  equivalent  no-cov  errors',
    ...results.map((r) => {
      const c = r.counts;
      return `${r.id.padEnd(8)}${pct(r, r.score).padStart(7)}  ${pct(r, r.behaviourScore ?? r.score).padStart(9)}  ${String(c.killed).padStart(6)}  ${String(c.timeout).padStart(7)}  ${String(c.survived).padStart(8)}  ${String(r.equivalent?.length ?? 0).padStart(10)}  ${String(c.noCoverage).padStart(6)}  ${String(c.errors).padStart(6)}`;
    }),
    '(behaviour: the score without the survivors explained as equivalent in tools/mutation-equivalents.json)',
  ];
  for (const r of results) {
    if (r.failure) {
      lines.push('', `${r.id}: Stryker failed:`, ...r.failure.split('\n').map((l) => `  ${l}`));
      continue;
    }
    if (r.survivors.length > 0) {
      lines.push('', `${r.id}: ${r.survivors.length} mutant(s) the check does not catch:`);
      for (const s of r.survivors)
        lines.push(`  ${s.file}:${s.line}  ${s.mutator}  → ${s.replacement}`);
    }
    if (r.equivalent?.length) {
      lines.push('', `${r.id}: ${r.equivalent.length} survivor(s) explained as equivalent:`);
      for (const s of r.equivalent)
        lines.push(`  ${s.file}:${s.line}  ${s.mutator}  → ${s.replacement}`, `      ${s.why}`);
    }
    if (r.stale?.length) {
      lines.push(
        '',
        `${r.id}: explained in tools/mutation-equivalents.json but no longer surviving (remove):`,
      );
      for (const e of r.stale) lines.push(`  line ${e.line}  ${e.mutator}  → ${e.replacement}`);
    }
  }
  return lines;
}

if (isMain(import.meta.url)) {
  const workbook = discoverWorkbook(REPO_ROOT);
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  // --saved: the report of the last run of each exercise (.bench/mutation/<id>.json), no Stryker.
  const saved = argv.includes('--saved');
  const args = argv.filter((a) => a !== '--saved');
  let exercises: Exercise[];
  try {
    exercises = selectEach(workbook, args);
  } catch (error) {
    if (!(error instanceof UnknownIdError)) throw error;
    console.error(chalk.red(error.message));
    process.exit(1);
  }
  const equivalents = loadEquivalents(path.join(TOOLS_DIR, 'mutation-equivalents.json'));
  const results: MutationResult[] = [];
  for (const ex of exercises) {
    if (saved) {
      results.push(applyEquivalents(savedResult(REPO_ROOT, ex.id), equivalents[ex.id] ?? []));
      continue;
    }
    console.log(
      chalk.bold(
        `▶ ${ex.id} ${ex.title}: mutating ${ex.solutionFiles.map((f) => rel(f)).join(', ')}`,
      ),
    );
    const started = Date.now();
    const result = await mutateExercise(REPO_ROOT, ex, {
      log: (line) => {
        if (/Mutation testing|mutants|ERROR|Error/.test(line))
          console.log(chalk.dim(`  ${line.trim()}`));
      },
    });
    console.log(chalk.dim(`  done in ${Math.round((Date.now() - started) / 1000)} s`));
    results.push(applyEquivalents(result, equivalents[ex.id] ?? []));
  }
  console.log('');
  for (const line of formatMutationReport(results)) console.log(line);
  process.exitCode = results.some((r) => r.failure) ? 1 : 0;
}
