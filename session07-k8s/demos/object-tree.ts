/** The objects an overlay creates as a tree — Namespace → Deployment → ReplicaSet → Pods — and what each Service selects. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeSelector,
  formatTree,
  getAt,
  objectTree,
  refOf,
  renderTarget,
  stringMapAt,
  toLabelSelector,
  workloadsOf,
} from '@workbook/session07';
import { demoOutDir, done, runMain, step, table, title } from '@workbook/tools/demo-kit';
import chalk from 'chalk';
// Your label matching from exercise 07.1 decides the "selects" column (pnpm demo object-tree --solution for the reference).
import { selects } from '#ex/01-fix-selector/selector.ts';

const SESSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Dims what controllers create at run time (ReplicaSets, Pods, claims): it is not in the YAML. */
const style = (text: string, node: { derived: boolean }) => (node.derived ? chalk.dim(text) : text);

await runMain(async () => {
  title('Session 07 · What the manifests will create, and who selects whom');
  const out = demoOutDir(import.meta.url);
  for (const overlay of ['dev', 'prod']) {
    step(`kubectl kustomize k8s/overlays/${overlay}`);
    const rendered = await renderTarget(path.join('k8s', 'overlays', overlay), {
      cwd: SESSION_DIR,
    });
    const tree = formatTree(objectTree(rendered.objects), style);
    console.log(`\n${tree}`);
    writeFileSync(path.join(out, `${overlay}.txt`), formatTree(objectTree(rendered.objects)));
  }
  console.log(
    chalk.dim(
      '(dimmed: created by controllers at run time — a Deployment makes a ReplicaSet per pod template version, the ReplicaSet makes the pods)\n',
    ),
  );

  title('Selectors: labels are the only link between these objects');
  const rendered = await renderTarget(path.join('k8s', 'overlays', 'prod'), { cwd: SESSION_DIR });
  const workloads = workloadsOf(rendered.objects);
  const rows: Record<string, string>[] = [];
  for (const object of rendered.objects) {
    const ref = refOf(object);
    const selector =
      ref.kind === 'Service'
        ? { matchLabels: stringMapAt(object, ['spec', 'selector']) }
        : ['Deployment', 'StatefulSet', 'PodDisruptionBudget'].includes(ref.kind)
          ? toLabelSelector(getAt(object, ['spec', 'selector']))
          : null;
    if (!selector) continue;
    let picked: string;
    try {
      picked =
        workloads
          .filter((w) => selects(selector, w.labels))
          .map((w) => `${w.kind} ${w.name}`)
          .join(', ') || chalk.red('nothing');
    } catch {
      picked = chalk.yellow('solve 07.1 first (or: pnpm demo object-tree --solution)');
    }
    rows.push({
      object: `${ref.kind} ${ref.name}`,
      selector: describeSelector(selector),
      'selects the pods of': picked,
    });
  }
  table(rows);

  title('A typo in a Service selector (k8s/broken/service-selects-pods)');
  const broken = await renderTarget(path.join('k8s', 'broken', 'service-selects-pods'), {
    cwd: SESSION_DIR,
  });
  const lines = formatTree(objectTree(broken.objects), style).split('\n');
  const at = lines.findIndex((l) => l.includes('Service imgq-worker'));
  console.log(lines.slice(at, at + 2).join('\n'));
  console.log();
  done(`trees written to ${path.relative(SESSION_DIR, out)}/dev.txt and prod.txt`);
});
