import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type CheckReport,
  checkTargets,
  getAt,
  type ManifestObject,
  matchesSelector,
  recordsAt,
  refOf,
  stringMapAt,
  toLabelSelector,
} from '@workbook/session07';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allowedDisruptions, MANIFESTS_DIR } from '#ex/03-prod-overlay/disruptions.ts';

let report: CheckReport;
let objects: ManifestObject[];
beforeAll(async () => {
  report = await checkTargets([MANIFESTS_DIR]);
  objects = report.targets[0]!.objects;
}, 60_000);

const find = (kind: string, name?: string) =>
  objects.find((o) => refOf(o).kind === kind && (!name || refOf(o).name === name));
const workerLabels = () =>
  stringMapAt(find('Deployment', 'imgq-worker'), ['spec', 'template', 'metadata', 'labels']);
const errors = (...rules: string[]) =>
  report.targets[0]!.findings.filter(
    (f) => f.severity === 'error' && (rules.length === 0 || rules.includes(f.rule)),
  ).map((f) => `${f.rule}: ${f.message} (${path.basename(f.file)}:${f.line})`);

/** Every manifest check needs a render: kustomize's own message when the folder has none. */
const renders = () =>
  expect(
    report.targets[0]!.findings.filter((f) => f.rule === 'render').map((f) => f.message),
    '🚨 kubectl kustomize could not render the folder: fix what its message says first',
  ).toEqual([]);

describe('07.3 the prod overlay', () => {
  it('allowedDisruptions follows the disruption controller', () => {
    expect(
      allowedDisruptions({ maxUnavailable: 1 }, 3),
      '🚨 maxUnavailable: 1 → one at a time',
    ).toBe(1);
    expect(allowedDisruptions({ minAvailable: 2 }, 3), '🚨 minAvailable: 2 of 3 → one').toBe(1);
    expect(allowedDisruptions({ minAvailable: 3 }, 3), '🚨 minAvailable = pods → none').toBe(0);
    expect(allowedDisruptions({ minAvailable: 5 }, 3), '🚨 never negative').toBe(0);
    expect(allowedDisruptions({ maxUnavailable: 5 }, 3), '🚨 never more than the pods').toBe(3);
    expect(
      allowedDisruptions({ minAvailable: '50%' }, 3),
      '🚨 50% of 3 rounds up to 2 kept → one',
    ).toBe(1);
    expect(allowedDisruptions({ maxUnavailable: '34%' }, 3), '🚨 34% of 3 rounds up → two').toBe(2);
  });

  it('three workers', () => {
    renders();
    expect(
      getAt(find('Deployment', 'imgq-worker'), ['spec', 'replicas']),
      '🚨 the worker Deployment runs 3 replicas in prod',
    ).toBe(3);
  });

  it('a PodDisruptionBudget selects the workers and lets exactly one be evicted at a time', () => {
    renders();
    const pdb = find('PodDisruptionBudget');
    expect(pdb, '🚨 add a PodDisruptionBudget to the overlay resources').toBeDefined();
    expect(
      matchesSelector(toLabelSelector(getAt(pdb, ['spec', 'selector'])), workerLabels()),
      '🚨 its selector must match the worker pods',
    ).toBe(true);
    expect(
      allowedDisruptions(getAt(pdb, ['spec']) as object, 3),
      '🚨 one eviction at a time: never 0 (drains hang), never all',
    ).toBe(1);
  });

  it('the workers are spread over nodes', () => {
    renders();
    const constraints = recordsAt(find('Deployment', 'imgq-worker'), [
      'spec',
      'template',
      'spec',
      'topologySpreadConstraints',
    ]);
    const byNode = constraints.find((c) => c.topologyKey === 'kubernetes.io/hostname');
    expect(byNode, '🚨 a topologySpreadConstraint on kubernetes.io/hostname').toBeDefined();
    expect(
      matchesSelector(toLabelSelector(byNode!.labelSelector), workerLabels()),
      '🚨 its labelSelector must count the worker pods',
    ).toBe(true);
    expect(byNode!.maxSkew, '🚨 maxSkew 1: at most one more worker on any node').toBe(1);
  });

  it('the images come from the registry at tag 0.1.0, set with images: (the base is untouched)', () => {
    renders();
    const images = objects
      .flatMap((o) =>
        recordsAt(o, ['spec', 'template', 'spec', 'containers']).concat(
          recordsAt(o, ['spec', 'template', 'spec', 'initContainers']),
        ),
      )
      .map((c) => c.image);
    expect(
      new Set(images),
      '🚨 every course image from registry.example.com/imgq, tag 0.1.0 (redis stays)',
    ).toEqual(
      new Set([
        'registry.example.com/imgq/imgq-worker:0.1.0',
        'registry.example.com/imgq/imgq:0.1.0',
        'redis:7-bookworm',
      ]),
    );
    const kustomization = parse(
      readFileSync(path.join(MANIFESTS_DIR, 'kustomization.yaml'), 'utf8'),
    ) as { images?: { name: string }[] };
    expect(
      (kustomization.images ?? []).map((i) => i.name).sort(),
      '🚨 use the kustomization images: field',
    ).toEqual(['imgq', 'imgq-worker']);
  });

  it('the shared images volume is ReadWriteMany', () => {
    renders();
    expect(
      getAt(find('PersistentVolumeClaim', 'imgq-images'), ['spec', 'accessModes']),
      '🚨 several nodes mount it',
    ).toContain('ReadWriteMany');
    expect(errors('rwo-volume-not-spread')).toEqual([]);
  });

  it('`pnpm k8s check` finds no errors, and the prod-only objects are there', () => {
    renders();
    expect(errors(), '🚨 the overlay must pass the validator').toEqual([]);
    expect(find('PodDisruptionBudget'), '🚨 prod adds a PodDisruptionBudget').toBeDefined();
  });
});
