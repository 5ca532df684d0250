/** Render every overlay with kubectl kustomize and validate it offline: schemas, unknown fields, course rules, with timings; then YOUR 07.1-07.4 folders and functions. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkTargets,
  DEFAULT_RULES,
  formatReport,
  getAt,
  type ManifestObject,
  recordsAt,
  refOf,
  renderTarget,
  reportJson,
  runKubectl,
  stringMapAt,
} from '@workbook/session07';
import { demoOutDir, done, runMain, step, table, title, warn } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
import { stringify } from 'yaml';
// Your exercises 07.1-07.4 through the switch (exercises/, or the references with --solution):
// their manifests folders, validated, and their functions, run on what those folders render.
import { MANIFESTS_DIR as EX1, selects } from '#ex/01-fix-selector/selector.ts';
import { MANIFESTS_DIR as EX2, parseQuantity } from '#ex/02-harden-worker/quantity.ts';
import { allowedDisruptions, MANIFESTS_DIR as EX3 } from '#ex/03-prod-overlay/disruptions.ts';
import {
  type ContainerEnvSpec,
  MANIFESTS_DIR as EX4,
  resolveEnv,
} from '#ex/04-wire-config/environment.ts';

const SESSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OVERLAYS = ['dev', 'prod'].map((name) => path.join(SESSION_DIR, 'k8s', 'overlays', name));
const rel = (file: string) => path.relative(SESSION_DIR, file);

/** Runs one of your functions; a starter's TODO (or any error) becomes a line that says so. */
function yours(id: string, run: () => string): string {
  try {
    return run();
  } catch (error) {
    const message = (error as Error).message;
    return message.includes('🐨 TODO')
      ? chalk.yellow(`not solved yet: pnpm check ${id}`)
      : chalk.red(`threw: ${message.slice(0, 60)}`);
  }
}

/** What each exercise's function says about the objects its own folder rendered. */
function yourCode(index: number, objects: ManifestObject[]): string {
  const deployment = objects.find((o) => refOf(o).kind === 'Deployment');
  const worker = recordsAt(deployment, ['spec', 'template', 'spec', 'containers']).find(
    (c) => c.name === 'worker',
  );
  if (index === 0)
    return yours('07.1', () => {
      const selector = getAt(deployment, ['spec', 'selector']) as Parameters<typeof selects>[0];
      const labels = stringMapAt(deployment, ['spec', 'template', 'metadata', 'labels']);
      return `selects(): the Deployment ${selects(selector ?? {}, labels) ? 'finds' : 'does NOT find'} its pods`;
    });
  if (index === 1)
    return yours('07.2', () => {
      const q = (kind: string, r: string) =>
        parseQuantity(getAt(worker, ['resources', kind, r]) as string);
      return `parseQuantity(): requests ${q('requests', 'cpu')} CPU / ${(q('requests', 'memory') / 2 ** 20).toFixed(0)} MiB`;
    });
  if (index === 2)
    return yours('07.3', () => {
      const pdb = objects.find((o) => refOf(o).kind === 'PodDisruptionBudget');
      const replicas = Number(getAt(deployment, ['spec', 'replicas']) ?? 1);
      if (!pdb) {
        allowedDisruptions({ maxUnavailable: 1 }, replicas); // a starter says so here
        return 'allowedDisruptions(): no PodDisruptionBudget in the overlay yet';
      }
      return `allowedDisruptions(): ${allowedDisruptions(getAt(pdb, ['spec']) as object, replicas)} of ${replicas} workers evictable at once`;
    });
  return yours('07.4', () => {
    const sources = {
      configMaps: {} as Record<string, Record<string, string>>,
      secrets: {} as Record<string, Record<string, string>>,
    };
    for (const o of objects) {
      const data = stringMapAt(o, ['data']);
      if (refOf(o).kind === 'ConfigMap') sources.configMaps[refOf(o).name] = data;
      if (refOf(o).kind === 'Secret')
        sources.secrets[refOf(o).name] = Object.fromEntries(
          Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
        );
    }
    const url = resolveEnv((worker ?? {}) as ContainerEnvSpec, sources).REDIS_URL;
    return `resolveEnv(): REDIS_URL = ${url === undefined ? '(unset)' : url.replace(/:\/\/:[^@$]+@/, '://:****@')}`;
  });
}

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
        'your code on it': yourCode(i, t.objects),
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
