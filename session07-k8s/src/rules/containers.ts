/**
 * Rules about each container: probes on the right port, requests and limits, a pinned image,
 * and a termination grace long enough for the worker's own graceful shutdown.
 */
import { getAt, recordAt, recordsAt } from '../manifest.ts';
import { parseQuantity } from '../quantity.ts';
import { imageRepository } from '../source-map.ts';
import { type ContainerRef, containerEnv, containersOf, envValue } from '../workloads.ts';
import type { Rule, RuleContext } from './rule.ts';

const PROBES = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;

function allContainers(
  context: RuleContext,
  options: { init?: boolean; longRunning?: boolean } = {},
): ContainerRef[] {
  return context
    .workloads()
    .filter((w) => !options.longRunning || w.longRunning)
    .flatMap((w) => containersOf(w, { init: options.init ?? true }));
}

/** Long-running containers have liveness and readiness probes. */
export const probesPresent: Rule = {
  id: 'probes-present',
  title: 'Long-running containers have liveness and readiness probes',
  severity: 'error',
  description:
    'Without a liveness probe a hung process is never restarted; without a readiness probe a pod that cannot work (Redis unreachable, draining) still counts as available.',
  *check(context) {
    for (const c of allContainers(context, { init: false, longRunning: true })) {
      const missing = ['livenessProbe', 'readinessProbe'].filter(
        (p) => getAt(c.container, [p]) === undefined,
      );
      if (missing.length === 0) continue;
      yield {
        object: c.workload.object,
        path: [...c.path, missing[0]!],
        message: `container \`${c.name}\` of ${c.workload.kind} \`${c.workload.name}\` has no ${missing.join(' and no ')}`,
        fix: 'Add `livenessProbe` (is the process alive? the worker serves GET /healthz) and `readinessProbe` (can it work now? GET /readyz) on the health port.',
      };
    }
  },
};

function probePorts(c: ContainerRef): { path: (string | number)[]; port: unknown }[] {
  const out: { path: (string | number)[]; port: unknown }[] = [];
  for (const probe of PROBES) {
    for (const action of ['httpGet', 'tcpSocket', 'grpc']) {
      const port = getAt(c.container, [probe, action, 'port']);
      if (port !== undefined) out.push({ path: [...c.path, probe, action, 'port'], port });
    }
  }
  return out;
}

/** A probe's named port is declared by the container. */
export const probePortDeclared: Rule = {
  id: 'probe-port-declared',
  title: "A probe's named port is a port of the container",
  severity: 'error',
  description:
    'A probe on a port name the container does not declare always fails: the pod never becomes ready, or is restarted in a loop.',
  *check(context) {
    for (const c of allContainers(context, { init: false })) {
      const names = recordsAt(c.container, ['ports']).map((p) => p.name);
      for (const { path, port } of probePorts(c)) {
        if (typeof port !== 'string' || names.includes(port)) continue;
        yield {
          object: c.workload.object,
          path,
          message: `a probe of container \`${c.name}\` uses port \`${port}\`, which the container does not declare (ports: ${names.filter(Boolean).join(', ') || 'none'})`,
          fix: `Declare it: \`ports: [{name: ${port}, containerPort: 8080}]\`, or use the declared name.`,
        };
      }
    }
  },
};

/** HTTP probes of a container with HEALTH_PORT go to that port. */
export const healthPortMatchesProbes: Rule = {
  id: 'health-port-matches-probes',
  title: 'HTTP probes target the port the worker serves health on (HEALTH_PORT)',
  severity: 'error',
  description:
    'The worker serves /healthz and /readyz on HEALTH_PORT only; a probe on any other port fails and the kubelet restarts a healthy worker.',
  *check(context) {
    for (const c of allContainers(context, { init: false })) {
      const health = envValue(
        containerEnv(c, context.objects),
        context.settings.healthPortVariable,
      )?.value;
      if (health === undefined || !/^\d+$/.test(health)) continue;
      const byName = new Map(
        recordsAt(c.container, ['ports']).map((p) => [p.name, p.containerPort]),
      );
      for (const { path, port } of probePorts(c)) {
        if (path[path.length - 2] !== 'httpGet') continue;
        const number = typeof port === 'string' ? byName.get(port) : port;
        if (number === Number(health)) continue;
        yield {
          object: c.workload.object,
          path,
          message: `container \`${c.name}\` serves health on ${context.settings.healthPortVariable}=${health}, but a probe targets port ${String(port)}${typeof port === 'string' ? ` (= ${String(number ?? 'undeclared')})` : ''}`,
          fix: `Point the probe at ${health} (or a port name whose containerPort is ${health}), or change ${context.settings.healthPortVariable}.`,
        };
      }
    }
  },
};

/** Every container sets CPU and memory requests and limits, requests within limits. */
export const resourcesSet: Rule = {
  id: 'resources-set',
  title: 'Containers set CPU and memory requests and limits (requests ≤ limits)',
  severity: 'error',
  description:
    'Requests are what the scheduler reserves (and what autoscaling percentages are of); limits stop one runaway pod from starving the node. A request above its limit is refused by the API server.',
  *check(context) {
    for (const c of allContainers(context)) {
      const resources = recordAt(c.container, ['resources']);
      const missing: string[] = [];
      for (const kind of ['requests', 'limits'])
        for (const resource of ['cpu', 'memory'])
          if (getAt(resources, [kind, resource]) === undefined) missing.push(`${kind}.${resource}`);
      if (missing.length > 0) {
        const [kind, resource] = missing[0]!.split('.');
        yield {
          object: c.workload.object,
          path: [...c.path, 'resources', kind!, resource!],
          message: `container \`${c.name}\` of ${c.workload.kind} \`${c.workload.name}\` has no resources.${missing.join(', no resources.')}`,
          fix: 'Set `resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}`, sized from what the process really uses.',
        };
        continue;
      }
      for (const resource of ['cpu', 'memory']) {
        const request = parseQuantity(getAt(resources, ['requests', resource]) as string);
        const limit = parseQuantity(getAt(resources, ['limits', resource]) as string);
        if (request > limit) {
          yield {
            object: c.workload.object,
            path: [...c.path, 'resources', 'requests', resource],
            message: `container \`${c.name}\` requests more ${resource} (${String(getAt(resources, ['requests', resource]))}) than its limit (${String(getAt(resources, ['limits', resource]))})`,
            fix: 'Lower the request or raise the limit: a request must be at most the limit.',
          };
        }
      }
    }
  },
};

/**
 * The tag of an image reference (`''` when it has none).
 * @example imageTag('redis:7-bookworm') // '7-bookworm'
 */
export function imageTag(image: string): string {
  const repository = imageRepository(image);
  const rest = image.split('@')[0]!.slice(repository.length);
  return rest.startsWith(':') ? rest.slice(1) : '';
}

/** Images carry a tag (or digest) other than `latest`. */
export const imageTagPinned: Rule = {
  id: 'image-tag-pinned',
  title: 'Images are pinned: a tag other than latest, or a digest',
  severity: 'error',
  description:
    'An untagged image means `:latest`: it changes under you, differs between nodes, and is pulled on every pod start. A rollback needs a tag to roll back to.',
  *check(context) {
    for (const c of allContainers(context)) {
      const image = getAt(c.container, ['image']);
      if (typeof image !== 'string') continue;
      const tag = imageTag(image);
      if (image.includes('@sha256:') || (tag && tag !== 'latest')) continue;
      yield {
        object: c.workload.object,
        path: [...c.path, 'image'],
        message: `container \`${c.name}\` uses image \`${image}\`${tag ? '' : ' (no tag: that means :latest)'}`,
        fix: `Pin a version: \`${imageRepository(image)}:0.1.0\` (in an overlay: \`images: [{name: ${imageRepository(image)}, newTag: 0.1.0}]\`).`,
      };
    }
  },
};

/** Seconds a preStop hook sleeps (`sleep: {seconds}` or `exec: [sleep, N]`), else 0. */
export function preStopSeconds(container: Record<string, unknown>): number {
  const sleep = getAt(container, ['lifecycle', 'preStop', 'sleep', 'seconds']);
  if (typeof sleep === 'number') return sleep;
  const command = getAt(container, ['lifecycle', 'preStop', 'exec', 'command']);
  const text = Array.isArray(command) ? command.join(' ') : '';
  const match = /\bsleep\s+(\d+(?:\.\d+)?)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** terminationGracePeriodSeconds leaves room for preStop and the worker's grace. */
export const gracePeriodCoversShutdown: Rule = {
  id: 'grace-period-covers-shutdown',
  title: "terminationGracePeriodSeconds > preStop + the worker's GRACE_PERIOD_MS",
  severity: 'error',
  description:
    'On delete the kubelet runs preStop, sends SIGTERM, and SIGKILLs after terminationGracePeriodSeconds (default 30), counted from the start. The worker needs GRACE_PERIOD_MS after SIGTERM to finish its tasks and deregister.',
  *check(context) {
    for (const w of context.workloads()) {
      const total = getAt(w.podSpec, ['terminationGracePeriodSeconds']);
      const seconds = typeof total === 'number' ? total : 30;
      for (const c of containersOf(w, { init: false })) {
        const set = envValue(
          containerEnv(c, context.objects),
          context.settings.graceVariable,
        )?.value;
        const isWorker = context.settings.workerImages.some(
          (name) =>
            imageRepository(String(c.container.image ?? ''))
              .split('/')
              .pop() === name,
        );
        const graceMs =
          set !== undefined
            ? Number(set)
            : isWorker
              ? context.settings.defaultGracePeriodMs
              : Number.NaN;
        if (!Number.isFinite(graceMs)) continue;
        const preStop = preStopSeconds(c.container);
        const needed = preStop + graceMs / 1000;
        if (seconds > needed) continue;
        yield {
          object: w.object,
          path: [...w.podSpecPath, 'terminationGracePeriodSeconds'],
          message: `${w.kind} \`${w.name}\`: terminationGracePeriodSeconds ${seconds}${typeof total === 'number' ? '' : ' (the default)'} is not more than preStop ${preStop} s + ${context.settings.graceVariable} ${graceMs / 1000} s of container \`${c.name}\`: it is SIGKILLed before it has finished its tasks`,
          fix: `Set terminationGracePeriodSeconds above ${needed} (e.g. ${Math.ceil(needed) + 10}), or lower ${context.settings.graceVariable}.`,
        };
      }
    }
  },
};

/** The rules of this file, in README order. */
export const CONTAINER_RULES: readonly Rule[] = [
  probesPresent,
  probePortDeclared,
  healthPortMatchesProbes,
  resourcesSet,
  imageTagPinned,
  gracePeriodCoversShutdown,
];
