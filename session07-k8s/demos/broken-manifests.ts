/** A tour of k8s/broken/: the real system with one typical mistake each, and the rule that catches it at the right line. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTargets, DEFAULT_RULES, type Finding, sourceLine } from '@workbook/session07';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import chalk from 'chalk';

const SESSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BROKEN = path.join(SESSION_DIR, 'k8s', 'broken');

/** The story of a case: the first comment line of its kustomization (or YAML file). */
function story(dir: string): string {
  const file = readdirSync(dir).includes('kustomization.yaml')
    ? 'kustomization.yaml'
    : readdirSync(dir)[0]!;
  const first = readFileSync(path.join(dir, file), 'utf8').split('\n')[0] ?? '';
  return first.startsWith('#') ? first.replace(/^#\s*/, '') : '';
}

/** The `# ✗ rule` markers of a case: where its findings must point. */
function expected(dir: string): { rule: string; file: string; line: number }[] {
  return readdirSync(dir).flatMap((name) =>
    readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .flatMap((text, i) => {
        const match = /#\s*✗\s*(.+)$/.exec(text);
        return match
          ? match[1]!
              .split(',')
              .map((rule) => ({ rule: rule.trim(), file: path.join(dir, name), line: i + 1 }))
          : [];
      }),
  );
}

await runMain(async () => {
  title('Session 07 · Broken manifests: every rule firing, at the line that caused it');
  const out = demoOutDir(import.meta.url);
  const cases = readdirSync(BROKEN).sort();
  step(
    `${cases.length} cases in k8s/broken/, each the real base plus one mistake; rendering them all with kubectl kustomize …`,
  );
  const report = await checkTargets(
    cases.map((name) => path.join('k8s', 'broken', name)),
    { cwd: SESSION_DIR },
  );
  const rows: Record<string, string>[] = [];
  let caught = 0;
  report.targets.forEach((target, index) => {
    const name = cases[index]!;
    const dir = path.join(BROKEN, name);
    const marks = expected(dir);
    const hits: Finding[] = marks
      .map((m) =>
        target.findings.find((f) => f.rule === m.rule && f.file === m.file && f.line === m.line),
      )
      .filter((f): f is Finding => Boolean(f));
    const ok = hits.length === marks.length && marks.length > 0;
    if (ok) caught++;
    console.log(
      `\n${chalk.bold(`[${index + 1}/${cases.length}] ${name}`)}  ${chalk.dim(story(dir))}`,
    );
    for (const f of hits) {
      const where = `${path.relative(SESSION_DIR, f.file)}:${f.line}:${f.column}`;
      console.log(
        `  ${f.severity === 'error' ? chalk.red('✖') : chalk.yellow('⚠')} ${chalk.bold(where)}  ${chalk.red(f.rule)}`,
      );
      console.log(
        chalk.dim(`  ${String(f.line).padStart(4)} │ `) +
          (sourceLine(f.file, f.line) ?? '').replace(/\s*#\s*✗.*$/, ''),
      );
      console.log(`    ${f.message}`);
      console.log(`    ${chalk.green('fix:')} ${f.fix}`);
    }
    const others = target.findings.filter((f) => !hits.includes(f));
    if (others.length)
      console.log(
        chalk.dim(
          `    also: ${others.map((f) => f.rule).join(', ')} (knock-on effects of the same mistake)`,
        ),
      );
    if (!ok)
      warn(`expected ${marks.map((m) => `${m.rule} at line ${m.line}`).join(', ')}: not found`);
    rows.push({
      case: name,
      caught: ok ? chalk.green('✔') : chalk.red('✖'),
      at: hits.map((f) => `${path.relative(BROKEN, f.file)}:${f.line}`).join(', '),
    });
  });
  title('Summary');
  table(rows);
  const rules = new Set(report.targets.flatMap((t) => t.findings.map((f) => f.rule)));
  const missing = DEFAULT_RULES.filter((r) => !rules.has(r.id)).map((r) => r.id);
  writeFileSync(
    path.join(out, 'summary.json'),
    `${JSON.stringify({ cases: cases.length, caught, missing, durationMs: Math.round(report.durationMs) }, null, 2)}\n`,
  );
  console.log();
  done(
    `${caught}/${cases.length} cases caught at the marked line; ${DEFAULT_RULES.length - missing.length}/${DEFAULT_RULES.length} rules fired; ${Math.round(report.durationMs)} ms for ${cases.length} renders`,
  );
  done(`summary written to ${path.relative(SESSION_DIR, out)}/summary.json`);
  if (caught !== cases.length || missing.length) process.exitCode = 1;
});
