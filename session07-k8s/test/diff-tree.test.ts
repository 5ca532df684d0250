/**
 * `k8s diff` (what prod changes compared with dev, field by field, without hash noise or
 * secret values) and the object tree (who owns and who selects what).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  diffRenders,
  formatDiff,
  formatTree,
  objectTree,
  type RenderedTarget,
  renderTarget,
} from '../src/index.ts';
import { K8S_DIR } from './helpers.ts';

let dev: RenderedTarget;
let prod: RenderedTarget;
beforeAll(async () => {
  [dev, prod] = (await Promise.all(
    ['dev', 'prod'].map((o) => renderTarget(path.join(K8S_DIR, 'overlays', o))),
  )) as [RenderedTarget, RenderedTarget];
}, 60_000);

describe('diff dev → prod', () => {
  it('names each changed field, the added PDB, and nothing that only differs by a generated hash', () => {
    const diffs = diffRenders(dev.objects, prod.objects);
    const deployment = diffs.find((d) => d.object === 'Deployment imgq/imgq-worker')!;
    expect(deployment.fields).toContainEqual({
      change: 'changed',
      path: 'spec.replicas',
      from: 1,
      to: 3,
    });
    expect(deployment.fields).toContainEqual({
      change: 'changed',
      path: 'spec.template.spec.containers[worker].image',
      from: 'imgq-worker:0.1.0',
      to: 'registry.example.com/imgq/imgq-worker:0.1.0',
    });
    expect(deployment.fields.map((f) => f.path)).toContain(
      'spec.template.spec.topologySpreadConstraints',
    );
    expect(diffs).toContainEqual({
      object: 'PodDisruptionBudget imgq/imgq-worker',
      change: 'added',
      fields: [],
    });
    expect(JSON.stringify(diffs), '🚨 generated names are compared without their hash').not.toMatch(
      /configMapRef|-<hash>/,
    );
    expect(diffs.find((d) => d.object === 'ConfigMap imgq/imgq-worker')!.fields).toContainEqual({
      change: 'changed',
      path: 'data.LOG_LEVEL',
      from: 'debug',
      to: 'info',
    });
  });

  it('never shows Secret values', () => {
    const withOtherPassword = prod.objects.map((o) =>
      o.kind === 'Secret' ? { ...o, data: { REDIS_PASSWORD: 'c2VjcmV0' } } : o,
    );
    const diffs = diffRenders(dev.objects, withOtherPassword);
    const secret = diffs.find((d) => d.object === 'Secret imgq/imgq-redis')!;
    expect(secret.fields).toEqual([
      { change: 'changed', path: 'data.REDIS_PASSWORD', from: '(secret)', to: '(secret)' },
    ]);
    expect(formatDiff(diffs)).not.toContain('c2VjcmV0');
  });

  it('the same render twice has no differences', () => {
    expect(diffRenders(dev.objects, dev.objects)).toEqual([]);
    expect(formatDiff([], { labels: ['dev', 'dev'] })).toBe(
      'dev and dev render the same objects.\n',
    );
  });
});

describe('object tree', () => {
  it('draws Namespace → Deployment → ReplicaSet → Pods, and what each Service selects', () => {
    const text = formatTree(objectTree(prod.objects));
    expect(text.split('\n')[0]).toBe('Namespace imgq');
    expect(text).toMatch(
      /├─ Deployment imgq-worker {2}\(replicas 3\)\n│ {2}└─ ReplicaSet imgq-worker-<hash>/,
    );
    expect(text.match(/Pod imgq-worker-<hash>-<random\d>/g)).toHaveLength(3);
    expect(text).toMatch(
      /Service redis {2}\(headless, selects app.kubernetes.io\/name=redis, ports 6379→redis\)\n│ {2}└─ endpoints: pods of StatefulSet redis/,
    );
    expect(text).toContain('PersistentVolumeClaim data-redis-0');
    expect(text).toContain('PodDisruptionBudget imgq-worker  (protects Deployment imgq-worker)');
    expect(text).toMatch(
      /Secret imgq-redis-\w+ {2}\(used by Deployment imgq-worker, StatefulSet redis, Job imgq-producer\)/,
    );
  });

  it('a Service that selects nothing says so', () => {
    const objects = dev.objects.map((o) =>
      o.kind === 'Service'
        ? { ...o, spec: { ...(o.spec as object), selector: { app: 'nobody' } } }
        : o,
    );
    expect(formatTree(objectTree(objects))).toContain(
      'endpoints: none — the selector matches no pod template',
    );
  });
});
