/**
 * The validator on the session's own manifests (every overlay passes with zero findings), on
 * the Kubernetes documentation's examples (no false errors: it agrees with kubernetes-models),
 * and its extension points (extra rules, schemas for custom resources).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTargets } from '../src/cli/args.ts';
import {
  builtinSchema,
  type CheckReport,
  checkRendered,
  checkTargets,
  type KindSchema,
  type ManifestObject,
  modelSchema,
  type Rule,
  refOf,
  renderTarget,
  STAGES,
  unknownFields,
} from '../src/index.ts';
import { FIXTURES_DIR, K8S_DIR } from './helpers.ts';

/** A kubernetes-models group/version module: its model classes by kind. */
type Models = Record<string, new (data: unknown) => { validate(): void }>;

let overlays: CheckReport;
beforeAll(async () => {
  overlays = await checkTargets(defaultTargets());
}, 120_000);

describe('the session manifests', () => {
  it('every overlay renders and passes with zero errors and zero warnings', () => {
    expect(overlays.targets.map((t) => path.basename(t.target))).toEqual(['dev', 'prod']);
    const findings = overlays.targets
      .flatMap((t) => t.findings)
      .map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`);
    expect(findings, '🚨 the overlays must be clean').toEqual([]);
    expect(overlays.errors).toBe(0);
  });

  it('dev and prod render the objects of the system', () => {
    const kinds = (name: string) =>
      overlays.targets
        .find((t) => path.basename(t.target) === name)!
        .objects.map((o) => `${refOf(o).kind}/${refOf(o).name.replace(/-[a-z0-9]{10}$/, '')}`)
        .sort();
    const base = [
      'ConfigMap/imgq-pipeline',
      'ConfigMap/imgq-worker',
      'Deployment/imgq-worker',
      'Job/imgq-producer',
      'Namespace/imgq',
      'PersistentVolumeClaim/imgq-images',
      'Secret/imgq-redis',
      'Service/imgq-worker',
      'Service/redis',
      'StatefulSet/redis',
    ];
    expect(kinds('dev')).toEqual(base);
    expect(kinds('prod')).toEqual([...base, 'PodDisruptionBudget/imgq-worker'].sort());
  });

  it('no password is committed: the Secret comes from a git-ignored env file', async () => {
    const rendered = await renderTarget(path.join(K8S_DIR, 'overlays', 'dev'));
    const secret = rendered.objects.find((o) => refOf(o).kind === 'Secret')!;
    const password = Buffer.from(
      String((secret.data as Record<string, string>).REDIS_PASSWORD),
      'base64',
    ).toString();
    expect(password, '🚨 a generated 48-hex-character password').toMatch(/^[0-9a-f]{48}$/);
    const worker = rendered.objects.find((o) => refOf(o).kind === 'Deployment')!;
    expect(JSON.stringify(worker), '🚨 the manifest only refers to it').not.toContain(password);
    expect(JSON.stringify(worker)).toContain('redis://:$(REDIS_PASSWORD)@$(REDIS_HOST):6379');
  });
});

describe("the Kubernetes documentation's examples", () => {
  const files = readdirSync(path.join(FIXTURES_DIR, 'docs-examples')).sort();

  it.each(files)('%s: no schema or unknown-field error, like kubernetes-models', async (file) => {
    const rendered = await renderTarget(path.join(FIXTURES_DIR, 'docs-examples', file));
    expect(rendered.objects.length).toBeGreaterThan(0);
    for (const object of rendered.objects) {
      const schema = await builtinSchema(refOf(object).apiVersion, refOf(object).kind);
      expect(schema, `🚨 kubernetes-models knows ${refOf(object).kind}`).not.toBeNull();
      const Model = (await import(`kubernetes-models/${refOf(object).apiVersion}`)) as Models;
      expect(
        () => new Model[refOf(object).kind]!(object).validate(),
        '🚨 kubernetes-models accepts it',
      ).not.toThrow();
    }
    const findings = await checkRendered(rendered, { rules: [] });
    expect(
      findings.map((f) => `${f.rule}: ${f.message}`),
      '🚨 no false errors on valid objects',
    ).toEqual([]);
  });

  it('the course rules do flag what the examples leave out (they are teaching examples)', async () => {
    const report = await checkTargets([
      path.join(FIXTURES_DIR, 'docs-examples', 'deployment.yaml'),
    ]);
    const rules = new Set(report.targets[0]!.findings.map((f) => f.rule));
    for (const id of ['probes-present', 'resources-set', 'run-as-non-root', 'namespace-declared'])
      expect(rules).toContain(id);
    expect(rules).not.toContain(STAGES.SCHEMA);
  });
});

describe('unknown fields', () => {
  const deployment = (spec: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'w', labels: { any: 'label' } },
    spec,
  });

  it('are found at any depth, with the field that was meant; maps and status are free', async () => {
    const fields = (await builtinSchema('apps/v1', 'Deployment'))!.fields()!;
    const object = deployment({
      replica: 2,
      selector: { matchLabels: { a: 'b' } },
      template: {
        metadata: { labels: { a: 'b' } },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'i:1',
              imagePulPolicy: 'Always',
              resources: { limits: { cpu: '1' } },
            },
          ],
        },
      },
    });
    const problems = unknownFields(object, fields);
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'spec.replica',
      'spec.template.spec.containers.0.imagePulPolicy',
    ]);
    expect(problems[0]!.fix).toContain('`replicas`');
    expect(problems[1]!.fix).toContain('`imagePullPolicy`');
    expect(unknownFields({ ...deployment({}), status: { replicas: 1 } }, fields)).toEqual([]);
  });

  it('come from the models declarations for any kind (Service, HPA, PDB, Job)', async () => {
    for (const [apiVersion, kind, field, typo] of [
      ['v1', 'Service', 'spec', 'selectr'],
      ['autoscaling/v2', 'HorizontalPodAutoscaler', 'spec', 'maxReplica'],
      ['policy/v1', 'PodDisruptionBudget', 'spec', 'minAvailble'],
      ['batch/v1', 'Job', 'spec', 'backofLimit'],
    ] as const) {
      const fields = (await builtinSchema(apiVersion, kind))!.fields()!;
      const problems = unknownFields(
        { apiVersion, kind, metadata: { name: 'x' }, [field]: { [typo]: 1 } },
        fields,
      );
      expect(
        problems.map((p) => p.path.join('.')),
        `🚨 ${kind}.${field}.${typo}`,
      ).toEqual([`${field}.${typo}`]);
    }
  });
});

describe('extension points (for sessions 08 and 09)', () => {
  const widget: ManifestObject = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default' },
    spec: { size: 'big', colour: 'red' },
  };

  async function renderOf(objects: ManifestObject[]) {
    const rendered = await renderTarget(path.join(FIXTURES_DIR, 'docs-examples', 'job.yaml'));
    return { ...rendered, objects };
  }

  it('an unknown kind is a no-schema warning; a custom schema validates it and checks its fields', async () => {
    const plain = await checkRendered(await renderOf([widget]), { rules: [] });
    expect(plain.map((f) => [f.rule, f.severity])).toEqual([[STAGES.NO_SCHEMA, 'warning']]);
    const schema: KindSchema = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      validate: (o) =>
        typeof (o.spec as { size?: unknown }).size === 'number'
          ? []
          : [
              {
                path: ['spec', 'size'],
                message: '`size` must be a number',
                fix: 'Write a number.',
              },
            ],
      fields: () => ({
        kind: 'object',
        name: 'Widget',
        fields: new Map([
          ['apiVersion', { kind: 'scalar' }],
          ['kind', { kind: 'scalar' }],
          ['metadata', { kind: 'any' }],
          [
            'spec',
            { kind: 'object', name: 'WidgetSpec', fields: new Map([['size', { kind: 'scalar' }]]) },
          ],
        ]),
      }),
    };
    const found = await checkRendered(await renderOf([widget]), { rules: [], schemas: [schema] });
    expect(found.map((f) => [f.rule, f.path])).toEqual([
      [STAGES.SCHEMA, 'spec.size'],
      [STAGES.UNKNOWN_FIELD, 'spec.colour'],
    ]);
  });

  it('modelSchema turns any kubernetes-models class into a schema (what session 08 does with KEDA)', async () => {
    const file = fileURLToPath(import.meta.resolve('kubernetes-models/apps/v1/Deployment'));
    const schema = modelSchema(Deployment, file);
    const messages = schema
      .validate({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 'x' } })
      .map((p) => p.message);
    expect(messages.sort()).toEqual([
      '`replicas` must be an integer, got `x` (string)',
      'required field `selector` is missing',
      'required field `template` is missing',
    ]);
    expect(schema.fields()).toMatchObject({ kind: 'object', name: 'IDeployment' });
  });

  it('extra rules run after the default ones; a rule that throws is reported, not fatal', async () => {
    const noWidgets: Rule = {
      id: 'no-big-widgets',
      title: 't',
      severity: 'warning',
      description: 'd',
      *check(ctx) {
        for (const o of ctx.ofKind('Widget'))
          yield { object: o, path: ['spec', 'size'], message: 'too big', fix: 'smaller' };
      },
    };
    const broken: Rule = {
      id: 'broken',
      title: 't',
      severity: 'error',
      description: 'd',
      check() {
        throw new Error('boom');
      },
    };
    const findings = await checkRendered(await renderOf([widget]), {
      rules: [],
      extraRules: [noWidgets, broken],
    });
    expect(
      findings
        .filter((f) => f.rule !== STAGES.NO_SCHEMA)
        .map((f) => [f.rule, f.severity, f.message]),
    ).toEqual([
      ['no-big-widgets', 'warning', 'too big'],
      [STAGES.RULE_FAILED, 'error', 'rule `broken` crashed: boom'],
    ]);
  });

  it('malformed options are refused with ERR_INVALID_OPTION', async () => {
    await expect(checkTargets([], { rules: 'all' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
      message: expect.stringContaining('Expected `rules` to be an array'),
    });
    await expect(checkTargets([], { extraRules: [{ id: 'x' } as never] })).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTION',
    });
  });
});
