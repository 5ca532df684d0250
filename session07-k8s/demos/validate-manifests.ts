/** Render every overlay with kubectl kustomize and validate it offline: schemas, unknown fields, course rules, with timings. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkTargets,
  DEFAULT_RULES,
  formatReport,
  refOf,
  renderTarget,
  reportJson,
  runKubectl,
} from '@workbook/session07';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
import { stringify } from 'yaml';
// The manifests folders of your exercises 07.1-07.4 (only the folder constants are used here).
import { MANIFESTS_DIR as EX1 } from '#ex/01-fix-selector/selector.ts';
import { MANIFESTS_DIR as EX2 } from '#ex/02-harden-worker/quantity.ts';
import { MANIFESTS_DIR as EX3 } from '#ex/03-prod-overlay/disruptions.ts';
import { MANIFESTS_DIR as EX4 } from '#ex/04-wire-config/environment.ts';

const SESSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OVERLAYS = ['dev', 'prod'].map((name) => path.join(SESSION_DIR, 'k8s', 'overlays', name));
const rel = (file: string) => path.relative(SESSION_DIR, file);

await runMain(async () => {
  title('Session 07 · Validate the Kubernetes manifests offline (no cluster needed)');
  const out = demoOutDir(import.meta.url);
  const version = await runKubectl(['version', '--client', '-o', 'json'], { timeoutMs: 20_000 });
  const client =
    (JSON.parse(version.stdout || '{}') as {
      kustomizeVersion?: string;
      clientVersion?: { gitVersion?: string };
    }) ?? {};
  step(
    `kubectl ${client.clientVersion?.gitVersion ?? '?'} with kustomize ${client.kustomizeVersion ?? '?'} renders; kubernetes-models validates`,
  );
  step(
    `stages: schema → unknown fields → ${DEFAULT_RULES.length} course rules across the rendered set`,
  );

  step(`checking ${OVERLAYS.map(rel).join(' and ')} …`);
  const report = await checkTargets(OVERLAYS.map(rel), { cwd: SESSION_DIR });
  for (const target of report.targets) {
    console.log(
      `\n${chalk.bold(target.target)} ${chalk.dim(`(${target.objects.length} objects)`)}`,
    );
    const rendered = await renderTarget(target.target, { cwd: SESSION_DIR });
    table(
      rendered.objects.map((object) => {
        const at = rendered.index.locate(object);
        return {
          kind: refOf(object).kind,
          name: refOf(object).name,
          'written in': `${rel(at.file)}:${at.line}`,
        };
      }),
    );
    writeFileSync(
      path.join(out, `${path.basename(target.target)}.yaml`),
      rendered.objects.map((o) => stringify(o)).join('---\n'),
    );
  }
  console.log();
  process.stdout.write(formatReport(report, { cwd: SESSION_DIR, color: chalk.level > 0 }));

  title('Timing (render with kubectl kustomize + all checks)');
  table(
    report.targets.map((t) => ({
      overlay: t.target,
      objects: t.objects.length,
      'render ms': Math.round(t.renderMs),
      'checks ms': Math.round(t.checkMs),
    })),
  );
  step(
    `all overlays, rendered in parallel: ${Math.round(report.durationMs)} ms (the first run also loads the schemas)`,
  );
  const again = await checkTargets(OVERLAYS.map(rel), { cwd: SESSION_DIR });
  step(`second run, schemas loaded: ${Math.round(again.durationMs)} ms`);

  title('Your exercise manifests (pnpm check 07 runs the real checks)');
  const exercises = await checkTargets(
    [EX1, EX2, EX3, EX4].map((dir) => rel(dir)),
    { cwd: SESSION_DIR },
  );
  table(
    exercises.targets.map((t, i) => {
      const first = t.findings.find((f) => f.severity === 'error');
      return {
        exercise: `07.${i + 1}`,
        folder: t.target,
        errors: t.findings.filter((f) => f.severity === 'error').length,
        'first error': first ? `${first.rule} (${path.basename(first.file)}:${first.line})` : '—',
      };
    }),
  );

  writeFileSync(
    path.join(out, 'report.json'),
    `${JSON.stringify(reportJson(report, SESSION_DIR), null, 2)}\n`,
  );
  console.log();
  if (report.errors > 0) warn(`${report.errors} error(s) in the overlays: see above`);
  else
    done(
      `${report.targets.length} overlays, ${report.targets.reduce((n, t) => n + t.objects.length, 0)} objects, 0 errors, ${report.warnings} warnings`,
    );
  done(`rendered YAML and report.json written to ${rel(out)}/`);
  if (report.errors > 0) process.exitCode = 1;
});
