import {
  type CheckReport,
  checkTargets,
  getAt,
  type ManifestObject,
  refOf,
  stringMapAt,
} from '@workbook/session07';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS_DIR, selects } from '#ex/01-fix-selector/selector.ts';

let report: CheckReport;
let objects: ManifestObject[];
beforeAll(async () => {
  report = await checkTargets([MANIFESTS_DIR]);
  objects = report.targets[0]!.objects;
}, 60_000);

const find = (kind: string) => objects.find((o) => refOf(o).kind === kind);
const findings = (rule?: string) =>
  report.targets[0]!.findings.filter(
    (f) => f.severity === 'error' && (!rule || f.rule === rule),
  ).map((f) => `${f.rule}: ${f.message} (${f.file}:${f.line})`);

/** Every manifest check needs a render: kustomize's own message when the folder has none. */
const renders = () =>
  expect(
    report.targets[0]!.findings.filter((f) => f.rule === 'render').map((f) => f.message),
    '🚨 kubectl kustomize could not render the folder: fix what its message says first',
  ).toEqual([]);

describe('07.1 fix a Deployment whose selector does not match', () => {
  it('selects() follows Kubernetes: matchLabels, In, NotIn, Exists, DoesNotExist', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(
      selects({ matchLabels: { app: 'web' } }, labels),
      '🚨 matchLabels is a subset check',
    ).toBe(true);
    expect(
      selects({ matchLabels: { app: 'web', tier: 'back' } }, labels),
      '🚨 every pair must match',
    ).toBe(false);
    expect(selects({}, labels), '🚨 an empty selector selects everything').toBe(true);
    const expr = (operator: string, values?: string[], key = 'tier') => ({
      matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
    });
    expect(selects(expr('In', ['front', 'api']), labels), '🚨 In: the value is listed').toBe(true);
    expect(selects(expr('In', ['api']), labels), '🚨 In: the value is not listed').toBe(false);
    expect(selects(expr('In', ['front'], 'zone'), labels), '🚨 In needs the label').toBe(false);
    expect(selects(expr('NotIn', ['front']), labels), '🚨 NotIn: the value is listed').toBe(false);
    expect(
      selects(expr('NotIn', ['db'], 'zone'), labels),
      '🚨 NotIn holds for a pod WITHOUT the label',
    ).toBe(true);
    expect(selects(expr('Exists'), labels), '🚨 Exists').toBe(true);
    expect(selects(expr('DoesNotExist'), labels), '🚨 DoesNotExist').toBe(false);
    expect(
      selects(expr('Equals', ['front']), labels),
      '🚨 an unknown operator selects nothing',
    ).toBe(false);
    expect(
      selects(expr('NotIn', ['db', 'back']), labels),
      '🚨 NotIn holds for a pod whose value is not listed (tier=front, NotIn [db, back])',
    ).toBe(true);
    expect(
      selects(expr('Exists', undefined, 'zone'), labels),
      '🚨 Exists needs the label: a pod without it is not selected',
    ).toBe(false);
    expect(
      selects(expr('DoesNotExist', undefined, 'zone'), labels),
      '🚨 DoesNotExist holds for a pod without the label',
    ).toBe(true);
    expect(
      selects(
        {
          matchLabels: { app: 'web' },
          matchExpressions: [
            { key: 'tier', operator: 'Exists' },
            { key: 'tier', operator: 'In', values: ['api'] },
          ],
        },
        labels,
      ),
      '🚨 every requirement must hold (matchLabels AND each expression): one false expression (tier In [api]) rejects the pod',
    ).toBe(false);
  });

  it('the Deployment selects its own pods (checked by the validator and by your selects())', () => {
    renders();
    expect(
      findings('selector-matches-template'),
      '🚨 the selector must match the pod template labels',
    ).toEqual([]);
    const deployment = find('Deployment')!;
    const selector = getAt(deployment, ['spec', 'selector']) as Parameters<typeof selects>[0];
    const labels = stringMapAt(deployment, ['spec', 'template', 'metadata', 'labels']);
    expect(
      selects(selector, labels),
      '🚨 your selects() should agree: the template carries the selector labels',
    ).toBe(true);
  });

  it('the selector is unchanged (app.kubernetes.io/name=imgq-worker) and the pod template carries it', () => {
    renders();
    const deployment = find('Deployment')!;
    expect(
      getAt(deployment, ['spec', 'selector']),
      '🚨 a live Deployment cannot change its selector: fix the template instead',
    ).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'imgq-worker' },
    });
    expect(
      stringMapAt(deployment, ['spec', 'template', 'metadata', 'labels'])['app.kubernetes.io/name'],
      '🚨 the pods need the label the selector asks for',
    ).toBe('imgq-worker');
  });

  it('the Service reaches the worker pods', () => {
    renders();
    expect(
      findings('service-selects-pods'),
      '🚨 the Service selector must match the pod labels',
    ).toEqual([]);
    const service = find('Service')!;
    const labels = stringMapAt(find('Deployment'), ['spec', 'template', 'metadata', 'labels']);
    expect(
      selects({ matchLabels: stringMapAt(service, ['spec', 'selector']) }, labels),
      '🚨 every label of the Service selector is on the pods',
    ).toBe(true);
  });

  it('`pnpm k8s check` finds no errors in the folder', () => {
    renders();
    expect(findings(), '🚨 the folder must pass the validator').toEqual([]);
  });
});
