/**
 * From a rendered field back to the line a person wrote, through everything Kustomize does:
 * generators (env files and literals), `replicas:`, `images:`, `namespace:`, strategic merge
 * patches, and the base documents for fields no overlay touches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FieldPath, type RenderedTarget, refOf, renderTarget } from '../src/index.ts';
import { K8S_DIR } from './helpers.ts';

let dev: RenderedTarget;
let prod: RenderedTarget;
beforeAll(async () => {
  [dev, prod] = (await Promise.all(
    ['dev', 'prod'].map((o) => renderTarget(path.join(K8S_DIR, 'overlays', o))),
  )) as [RenderedTarget, RenderedTarget];
}, 60_000);

/** `file:line` of a field, and the text of that line. */
function where(rendered: RenderedTarget, kind: string, name: string, fieldPath: FieldPath) {
  const object = rendered.objects.find(
    (o) => refOf(o).kind === kind && refOf(o).name.startsWith(name),
  )!;
  const at = rendered.index.locate(object, fieldPath);
  const text = readFileSync(at.file, 'utf8').split('\n')[at.line - 1]!.trim();
  return { file: path.relative(K8S_DIR, at.file), text };
}

const container = ['spec', 'template', 'spec', 'containers', 0];

describe('source locations', () => {
  it('a ConfigMap key points at its env file line, or at the overlay literal that overrides it', () => {
    expect(where(dev, 'ConfigMap', 'imgq-worker', ['data', 'GRACE_PERIOD_MS'])).toEqual({
      file: 'base/config/worker.env',
      text: 'GRACE_PERIOD_MS=10000',
    });
    expect(where(dev, 'ConfigMap', 'imgq-worker', ['data', 'LOG_LEVEL'])).toEqual({
      file: 'overlays/dev/kustomization.yaml',
      text: '- LOG_LEVEL=debug',
    });
    expect(where(prod, 'ConfigMap', 'imgq-worker', ['data', 'LOG_LEVEL'])).toEqual({
      file: 'base/config/worker.env',
      text: 'LOG_LEVEL=info',
    });
  });

  it('replicas point at the overlay replicas: entry, an image at its images: entry', () => {
    expect(where(prod, 'Deployment', 'imgq-worker', ['spec', 'replicas'])).toEqual({
      file: 'overlays/prod/kustomization.yaml',
      text: 'count: 3',
    });
    expect(where(prod, 'Deployment', 'imgq-worker', [...container, 'image'])).toEqual({
      file: 'overlays/prod/kustomization.yaml',
      text: 'newTag: 0.1.0',
    });
    expect(where(dev, 'Deployment', 'imgq-worker', [...container, 'image'])).toEqual({
      file: 'base/worker/deployment.yaml',
      text: 'image: imgq-worker:0.1.0',
    });
  });

  it('a patched field points at the patch; an untouched one at the base', () => {
    expect(
      where(dev, 'Deployment', 'imgq-worker', [...container, 'resources', 'requests', 'cpu']),
    ).toEqual({ file: 'overlays/dev/worker-resources.yaml', text: 'cpu: 100m' });
    expect(where(dev, 'Deployment', 'imgq-worker', [...container, 'livenessProbe'])).toEqual({
      file: 'base/worker/deployment.yaml',
      text: 'livenessProbe:',
    });
    expect(where(prod, 'PersistentVolumeClaim', 'imgq-images', ['spec', 'accessModes'])).toEqual({
      file: 'overlays/prod/images-rwx.yaml',
      text: 'accessModes:',
    });
  });

  it('a missing field points at the object it belongs in (the container, found by name)', () => {
    expect(
      where(dev, 'Deployment', 'imgq-worker', [...container, 'securityContext', 'seLinuxOptions']),
    ).toEqual({ file: 'base/worker/deployment.yaml', text: 'securityContext:' });
    expect(
      where(dev, 'StatefulSet', 'redis', [
        'spec',
        'template',
        'spec',
        'containers',
        0,
        'workingDir',
      ]),
    ).toEqual({ file: 'base/redis/statefulset.yaml', text: '- name: redis' });
  });

  it('the namespace points at the kustomization that sets it, outermost first', () => {
    expect(where(prod, 'PodDisruptionBudget', 'imgq-worker', ['metadata', 'namespace'])).toEqual({
      file: 'overlays/prod/kustomization.yaml',
      text: 'namespace: imgq',
    });
  });
});
