import {
  type CheckReport,
  checkTargets,
  getAt,
  type ManifestObject,
  recordsAt,
  refOf,
  stringMapAt,
} from '@workbook/session07';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ContainerEnvSpec,
  type EnvSources,
  MANIFESTS_DIR,
  resolveEnv,
} from '#ex/04-wire-config/environment.ts';

let report: CheckReport;
let objects: ManifestObject[];
let worker: ContainerEnvSpec;
let sources: EnvSources;
beforeAll(async () => {
  report = await checkTargets([MANIFESTS_DIR]);
  objects = report.targets[0]!.objects;
  const deployment = objects.find((o) => refOf(o).kind === 'Deployment');
  worker = (recordsAt(deployment, ['spec', 'template', 'spec', 'containers']).find(
    (c) => c.name === 'worker',
  ) ?? {}) as ContainerEnvSpec;
  sources = { configMaps: {}, secrets: {} };
  for (const o of objects) {
    const data = stringMapAt(o, ['data']);
    if (refOf(o).kind === 'ConfigMap') sources.configMaps[refOf(o).name] = data;
    if (refOf(o).kind === 'Secret')
      sources.secrets[refOf(o).name] = Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
      );
  }
}, 60_000);

const named = (kind: string, prefix: string) =>
  objects.map(refOf).find((r) => r.kind === kind && r.name.startsWith(`${prefix}-`))!.name;
const errors = (...rules: string[]) =>
  report.targets[0]!.findings.filter(
    (f) => f.severity === 'error' && (rules.length === 0 || rules.includes(f.rule)),
  ).map((f) => `${f.rule}: ${f.message} (line ${f.line})`);
const none: EnvSources = { configMaps: {}, secrets: {} };

/** Every manifest check needs a render: kustomize's own message when the folder has none. */
const renders = () =>
  expect(
    report.targets[0]!.findings.filter((f) => f.rule === 'render').map((f) => f.message),
    '🚨 kubectl kustomize could not render the folder: fix what its message says first',
  ).toEqual([]);

describe('07.4 wire the ConfigMap and the Secret into the worker', () => {
  it('resolveEnv builds the environment like the kubelet', () => {
    const spec: ContainerEnvSpec = {
      envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'sec' } }],
      env: [
        { name: 'A', value: 'from-env' },
        { name: 'URL', value: 'x://$(USER):$(S_PASS)@$(HOST)/$(LATER)' },
        { name: 'LATER', value: 'later' },
        { name: 'ESC', value: '$$(A) costs $$5' },
        { name: 'KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'HOST' } } },
      ],
    };
    const env = resolveEnv(spec, {
      configMaps: { cfg: { HOST: 'redis-0', A: 'from-map', USER: 'u' } },
      secrets: { sec: { PASS: 'p4ss' } },
    });
    expect(env.HOST, '🚨 envFrom keys become variables').toBe('redis-0');
    expect(env.S_PASS, '🚨 with their prefix').toBe('p4ss');
    expect(env.A, '🚨 env comes after envFrom: it wins').toBe('from-env');
    expect(
      env.URL,
      '🚨 $(NAME) expands from variables defined before; a later one stays as text',
    ).toBe('x://u:p4ss@redis-0/$(LATER)');
    expect(env.ESC, '🚨 $$ is an escaped $').toBe('$(A) costs $5');
    expect(env.KEY, '🚨 valueFrom reads one key').toBe('redis-0');
    expect(
      resolveEnv({ env: [{ name: 'X', value: '$(X)' }] }, none),
      '🚨 a variable is not defined while its own value is expanded',
    ).toEqual({ X: '$(X)' });
    const partial: ContainerEnvSpec = {
      env: [
        { name: 'GONE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'NOPE' } } },
        { name: 'NOMAP', valueFrom: { secretKeyRef: { name: 'absent', key: 'PASS' } } },
        { name: 'USE', value: '$(GONE)$(NOMAP)' },
        { name: 'EMPTY' },
      ],
    };
    const some: EnvSources = { configMaps: { cfg: { HOST: 'redis-0' } }, secrets: {} };
    expect(
      () => resolveEnv(partial, some),
      '🚨 a valueFrom whose ConfigMap or Secret does not exist defines nothing: it must not throw',
    ).not.toThrow();
    const missing = resolveEnv(partial, some);
    expect(
      [Object.hasOwn(missing, 'GONE'), Object.hasOwn(missing, 'NOMAP'), missing.USE],
      '🚨 a valueFrom with a missing key or a missing object defines nothing: GONE and NOMAP stay undefined, and a later $(GONE)$(NOMAP) stays as text',
    ).toEqual([false, false, '$(GONE)$(NOMAP)']);
    expect(
      resolveEnv({ envFrom: [{ configMapRef: { name: 'cfg' } }] }, some),
      '🚨 a container with envFrom and no env list gets exactly the ConfigMap keys',
    ).toStrictEqual({ HOST: 'redis-0' });
    expect(
      missing.EMPTY,
      '🚨 a variable with neither value nor valueFrom is defined as the empty string',
    ).toBe('');
  });

  it('the settings come from the ConfigMap imgq-worker (envFrom)', () => {
    renders();
    expect(errors('config-ref-exists'), '🚨 every reference must exist in the render').toEqual([]);
    const refs = (worker.envFrom ?? []).map((s) => s.configMapRef?.name);
    expect(
      refs,
      '🚨 envFrom: [{configMapRef: {name: imgq-worker}}] (Kustomize adds the hash)',
    ).toContain(named('ConfigMap', 'imgq-worker'));
    const env = resolveEnv(worker, sources);
    expect(
      [env.QUEUE, env.GRACE_PERIOD_MS, env.HEALTH_PORT],
      '🚨 the worker sees QUEUE, GRACE_PERIOD_MS, HEALTH_PORT',
    ).toEqual(['images', '10000', '8080']);
  });

  it('REDIS_PASSWORD comes from the Secret, and no password is written in the manifest', () => {
    renders();
    const variable = (worker.env ?? []).find((e) => e.name === 'REDIS_PASSWORD');
    expect(
      variable?.valueFrom?.secretKeyRef,
      '🚨 valueFrom.secretKeyRef to imgq-redis / REDIS_PASSWORD',
    ).toEqual({ name: named('Secret', 'imgq-redis'), key: 'REDIS_PASSWORD' });
    const password = sources.secrets[named('Secret', 'imgq-redis')]!.REDIS_PASSWORD!;
    const deployment = objects.find((o) => refOf(o).kind === 'Deployment');
    expect(
      JSON.stringify(deployment),
      '🚨 the password must never be in the Deployment',
    ).not.toContain(password);
    expect(errors('no-secrets-in-configmap')).toEqual([]);
  });

  it('REDIS_URL carries the real password and host once the kubelet has expanded it', () => {
    renders();
    expect(
      errors('env-interpolation-order'),
      '🚨 $(NAME) may only use variables defined before it',
    ).toEqual([]);
    const password = sources.secrets[named('Secret', 'imgq-redis')]!.REDIS_PASSWORD!;
    const raw = (worker.env ?? []).find((e) => e.name === 'REDIS_URL')?.value ?? '';
    expect(raw, '🚨 build REDIS_URL with $(REDIS_PASSWORD) and $(REDIS_HOST), not by hand').toMatch(
      /\$\(REDIS_PASSWORD\).*\$\(REDIS_HOST\)/,
    );
    expect(resolveEnv(worker, sources).REDIS_URL, '🚨 what the worker process sees').toBe(
      `redis://:${password}@redis-0.redis:6379`,
    );
  });

  it('`pnpm k8s check` finds no errors, and the worker uses both generated objects', () => {
    renders();
    expect(errors(), '🚨 the folder must pass the validator').toEqual([]);
    const deployment = JSON.stringify(
      getAt(
        objects.find((o) => refOf(o).kind === 'Deployment'),
        ['spec'],
      ),
    );
    expect(deployment, '🚨 the worker uses the ConfigMap imgq-worker').toContain(
      named('ConfigMap', 'imgq-worker'),
    );
    expect(deployment, '🚨 and the Secret imgq-redis').toContain(named('Secret', 'imgq-redis'));
  });
});
