import {
  type CheckReport,
  checkTargets,
  getAt,
  type ManifestObject,
  preStopSeconds,
  recordAt,
  recordsAt,
} from '@workbook/session07';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS_DIR, parseQuantity } from '#ex/02-harden-worker/quantity.ts';

let report: CheckReport;
let deployment: ManifestObject;
let pod: Record<string, unknown>;
let worker: Record<string, unknown>;
beforeAll(async () => {
  report = await checkTargets([MANIFESTS_DIR]);
  deployment = report.targets[0]!.objects.find((o) => o.kind === 'Deployment') ?? {};
  pod = recordAt(deployment, ['spec', 'template', 'spec']);
  worker = recordsAt(pod, ['containers']).find((c) => c.name === 'worker') ?? {};
}, 60_000);

const errors = (...rules: string[]) =>
  report.targets[0]!.findings.filter(
    (f) => f.severity === 'error' && (rules.length === 0 || rules.includes(f.rule)),
  ).map((f) => `${f.rule}: ${f.message} (line ${f.line})`);

/** Every manifest check needs a render: kustomize's own message when the folder has none. */
const renders = () =>
  expect(
    report.targets[0]!.findings.filter((f) => f.rule === 'render').map((f) => f.message),
    '🚨 kubectl kustomize could not render the folder: fix what its message says first',
  ).toEqual([]);

describe('07.2 probes, resources and a security context for the worker', () => {
  it('parseQuantity reads CPU and memory quantities', () => {
    expect(parseQuantity('250m'), '🚨 m is a thousandth: 250m = a quarter of a core').toBe(0.25);
    expect(parseQuantity('2'), '🚨 a plain number').toBe(2);
    expect(parseQuantity(1.5), '🚨 numbers are quantities too').toBe(1.5);
    expect(parseQuantity('512Mi'), '🚨 Mi is 2^20').toBe(536_870_912);
    expect(parseQuantity('1Gi'), '🚨 Gi is 2^30').toBe(1_073_741_824);
    expect(parseQuantity('1G'), '🚨 G is 10^9').toBe(1e9);
    expect(parseQuantity('128k'), '🚨 k is 10^3').toBe(128_000);
    expect(parseQuantity('1e3'), '🚨 an exponent').toBe(1000);
    expect(parseQuantity('.25'), '🚨 a number may start with its decimal point: .25 = 0.25').toBe(
      0.25,
    );
    expect(
      parseQuantity('12.5Gi'),
      '🚨 a decimal number takes a suffix too: 12.5Gi = 12.5 × 2^30',
    ).toBe(12.5 * 2 ** 30);
    expect(
      parseQuantity('2E12'),
      '🚨 E followed by digits is an exponent (2E12 = 2 × 10^12), not the suffix E',
    ).toBe(2e12);
    expect(parseQuantity('2E'), '🚨 E alone is the suffix exa: 2E = 2 × 10^18').toBe(2e18);
    expect(parseQuantity('25e-2'), '🚨 an exponent may be negative: 25e-2 = 0.25').toBeCloseTo(
      0.25,
      12,
    );
    for (const bad of ['2 cores', '1.5 GB', 'lots', '', 'x1', '1e', '1.5.5'])
      expect(parseQuantity(bad), `🚨 \`${bad}\` is not a quantity: NaN`).toBeNaN();
  });

  it('probes: startup, liveness on /healthz and readiness on /readyz, on the health port', () => {
    renders();
    expect(
      getAt(worker, ['startupProbe']),
      '🚨 a startupProbe keeps liveness from killing a slow start',
    ).toBeDefined();
    expect(
      getAt(worker, ['livenessProbe', 'httpGet', 'path']),
      '🚨 liveness asks "alive?": /healthz',
    ).toBe('/healthz');
    expect(
      getAt(worker, ['readinessProbe', 'httpGet', 'path']),
      '🚨 readiness asks "can it work now?": /readyz',
    ).toBe('/readyz');
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      expect(['health', 8080], `🚨 ${probe} must go to the health port`).toContain(
        getAt(worker, [probe, 'httpGet', 'port']),
      );
    }
    expect(
      errors('probes-present', 'probe-port-declared', 'health-port-matches-probes'),
      '🚨 the validator still finds probe problems',
    ).toEqual([]);
  });

  it('resources: CPU and memory requests and limits, requests within limits (your parseQuantity)', () => {
    renders();
    for (const resource of ['cpu', 'memory']) {
      const request = parseQuantity(getAt(worker, ['resources', 'requests', resource]) as string);
      const limit = parseQuantity(getAt(worker, ['resources', 'limits', resource]) as string);
      expect(request, `🚨 requests.${resource} must be a quantity`).toBeGreaterThan(0);
      expect(
        request,
        `🚨 requests.${resource} must be at most limits.${resource}`,
      ).toBeLessThanOrEqual(limit);
    }
    expect(
      parseQuantity(getAt(worker, ['resources', 'limits', 'memory']) as string),
      '🚨 sharp needs at least 256Mi',
    ).toBeGreaterThanOrEqual(256 * 2 ** 20);
    expect(errors('resources-set'), '🚨 the validator still finds resource problems').toEqual([]);
  });

  it('a restricted security context, with /tmp writable', () => {
    renders();
    const effective = (field: string) =>
      getAt(worker, ['securityContext', field]) ?? getAt(pod, ['securityContext', field]);
    expect(effective('runAsNonRoot'), '🚨 runAsNonRoot: true').toBe(true);
    expect(effective('runAsUser'), '🚨 the image runs as uid 1000').toBe(1000);
    expect(
      getAt(worker, ['securityContext', 'readOnlyRootFilesystem']),
      '🚨 readOnlyRootFilesystem is a container setting',
    ).toBe(true);
    expect(
      getAt(worker, ['securityContext', 'allowPrivilegeEscalation']),
      '🚨 allowPrivilegeEscalation: false (container)',
    ).toBe(false);
    expect(
      getAt(worker, ['securityContext', 'capabilities', 'drop']),
      '🚨 drop: [ALL] (container)',
    ).toEqual(['ALL']);
    expect(getAt(effective('seccompProfile'), ['type']), '🚨 seccompProfile RuntimeDefault').toBe(
      'RuntimeDefault',
    );
    const tmp = recordsAt(worker, ['volumeMounts']).find((m) => m.mountPath === '/tmp');
    const volume = recordsAt(pod, ['volumes']).find((v) => v.name === tmp?.name);
    expect(volume?.emptyDir, '🚨 a read-only root needs an emptyDir mounted at /tmp').toBeDefined();
    expect(
      errors(
        'unknown-field',
        'run-as-non-root',
        'read-only-root-filesystem',
        'no-privilege-escalation',
        'drop-all-capabilities',
        'seccomp-runtime-default',
      ),
      '🚨 the validator still finds security problems',
    ).toEqual([]);
  });

  it('shutdown: a preStop hook and terminationGracePeriodSeconds > preStop + GRACE_PERIOD_MS', () => {
    renders();
    const preStop = preStopSeconds(worker);
    expect(preStop, '🚨 a preStop hook that sleeps a moment').toBeGreaterThan(0);
    expect(
      getAt(pod, ['terminationGracePeriodSeconds']),
      `🚨 terminationGracePeriodSeconds must be more than preStop (${preStop} s) + GRACE_PERIOD_MS (10 s): the kubelet counts the preStop time against it, then sends SIGKILL`,
    ).toBeGreaterThan(preStop + 10);
    expect(
      errors('grace-period-covers-shutdown'),
      '🚨 the validator still finds the grace period too short',
    ).toEqual([]);
  });

  it('`pnpm k8s check` finds no errors in the folder', () => {
    renders();
    expect(errors(), '🚨 the folder must pass the validator').toEqual([]);
  });
});
