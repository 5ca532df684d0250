/**
 * The restricted security context, container by container: what the "restricted" Pod Security
 * Standard demands (the namespace enforces it) plus a read-only root filesystem. Pod-level
 * settings (`spec.securityContext`) count where Kubernetes lets them: runAsNonRoot, runAsUser
 * and seccompProfile; the rest exist only per container.
 */
import { getAt } from '../manifest.ts';
import { type ContainerRef, containersOf } from '../workloads.ts';
import type { Rule, RuleContext, Violation } from './rule.ts';

function containers(context: RuleContext): ContainerRef[] {
  return context.workloads().flatMap((w) => containersOf(w));
}

/** A container setting, else the pod's (container wins, as in Kubernetes). */
function effective(c: ContainerRef, field: string[]): unknown {
  const own = getAt(c.container, ['securityContext', ...field]);
  return own !== undefined ? own : getAt(c.workload.podSpec, ['securityContext', ...field]);
}

function violation(c: ContainerRef, field: string[], message: string, fix: string): Violation {
  return {
    object: c.workload.object,
    path: [...c.path, 'securityContext', ...field],
    message: `container \`${c.name}\` of ${c.workload.kind} \`${c.workload.name}\` ${message}`,
    fix,
  };
}

/** Containers run as a non-root user. */
export const runAsNonRoot: Rule = {
  id: 'run-as-non-root',
  title: 'Containers run as non-root (runAsNonRoot: true, runAsUser ≠ 0)',
  severity: 'error',
  description:
    'A process that breaks out of a root container is root on the node. With runAsNonRoot the kubelet refuses to start an image that would run as uid 0.',
  *check(context) {
    for (const c of containers(context)) {
      if (effective(c, ['runAsNonRoot']) !== true) {
        yield violation(
          c,
          ['runAsNonRoot'],
          'may run as root (runAsNonRoot is not true)',
          'Set `securityContext: {runAsNonRoot: true, runAsUser: 1000}` on the pod or the container (the course images run as uid 1000).',
        );
      } else if (effective(c, ['runAsUser']) === 0) {
        yield violation(
          c,
          ['runAsUser'],
          'sets runAsUser: 0 (root), which runAsNonRoot forbids: the pod never starts',
          "Use the image's non-root uid (1000 for the course images, 999 for redis).",
        );
      }
    }
  },
};

/** Root filesystems are read-only. */
export const readOnlyRootFilesystem: Rule = {
  id: 'read-only-root-filesystem',
  title: 'Containers have a read-only root filesystem',
  severity: 'error',
  description:
    'A writable image filesystem lets an attacker (or a bug) change the program it runs; writes belong in volumes. Mount an emptyDir at /tmp if the process needs scratch space.',
  *check(context) {
    for (const c of containers(context)) {
      if (getAt(c.container, ['securityContext', 'readOnlyRootFilesystem']) === true) continue;
      yield violation(
        c,
        ['readOnlyRootFilesystem'],
        'has a writable root filesystem',
        'Set `readOnlyRootFilesystem: true` and mount an `emptyDir` volume where it writes (e.g. /tmp).',
      );
    }
  },
};

/** No privilege escalation, no privileged mode. */
export const noPrivilegeEscalation: Rule = {
  id: 'no-privilege-escalation',
  title: 'allowPrivilegeEscalation: false, not privileged',
  severity: 'error',
  description:
    'allowPrivilegeEscalation: false stops setuid binaries from gaining privileges; privileged: true gives the container the whole node.',
  *check(context) {
    for (const c of containers(context)) {
      if (getAt(c.container, ['securityContext', 'privileged']) === true) {
        yield violation(
          c,
          ['privileged'],
          'is privileged: it has every capability and every device of the node',
          'Remove `privileged: true`.',
        );
      } else if (getAt(c.container, ['securityContext', 'allowPrivilegeEscalation']) !== false) {
        yield violation(
          c,
          ['allowPrivilegeEscalation'],
          'allows privilege escalation (not set to false)',
          'Set `allowPrivilegeEscalation: false` in the container securityContext.',
        );
      }
    }
  },
};

/** All capabilities dropped; at most NET_BIND_SERVICE added back. */
export const dropAllCapabilities: Rule = {
  id: 'drop-all-capabilities',
  title: 'Containers drop ALL capabilities',
  severity: 'error',
  description:
    'Linux capabilities are slices of root (NET_RAW, CHOWN, ...). The workers need none; the restricted standard allows only NET_BIND_SERVICE back.',
  *check(context) {
    for (const c of containers(context)) {
      const drop = getAt(c.container, ['securityContext', 'capabilities', 'drop']);
      const add = getAt(c.container, ['securityContext', 'capabilities', 'add']);
      if (!Array.isArray(drop) || !drop.includes('ALL')) {
        yield violation(
          c,
          ['capabilities', 'drop'],
          'does not drop ALL capabilities',
          'Set `capabilities: {drop: [ALL]}` in the container securityContext.',
        );
      } else if (Array.isArray(add)) {
        const extra = add.filter(
          (cap) => !context.settings.allowedCapabilities.includes(String(cap)),
        );
        if (extra.length > 0) {
          yield violation(
            c,
            ['capabilities', 'add'],
            `adds back ${extra.join(', ')}`,
            `Remove them; only ${context.settings.allowedCapabilities.join(', ')} may be added back.`,
          );
        }
      }
    }
  },
};

/** The runtime's default seccomp profile (or a local one). */
export const seccompRuntimeDefault: Rule = {
  id: 'seccomp-runtime-default',
  title: 'seccompProfile is RuntimeDefault (or Localhost)',
  severity: 'error',
  description:
    'Without a seccomp profile a container may make every system call, including the rare ones most kernel exploits need.',
  *check(context) {
    for (const c of containers(context)) {
      const type = effective(c, ['seccompProfile', 'type']);
      if (type === 'RuntimeDefault' || type === 'Localhost') continue;
      const own = getAt(c.container, ['securityContext', 'seccompProfile']) !== undefined;
      yield {
        ...violation(
          c,
          ['seccompProfile', 'type'],
          `has seccomp profile ${type === undefined ? '(none)' : `\`${String(type)}\``}`,
          'Set `seccompProfile: {type: RuntimeDefault}` in the pod securityContext.',
        ),
        // Point where it is set (the container), else where it belongs (the pod).
        path: own
          ? [...c.path, 'securityContext', 'seccompProfile', 'type']
          : [...c.workload.podSpecPath, 'securityContext', 'seccompProfile', 'type'],
      };
    }
  },
};

/** The rules of this file, in README order. */
export const SECURITY_RULES: readonly Rule[] = [
  runAsNonRoot,
  readOnlyRootFilesystem,
  noPrivilegeEscalation,
  dropAllCapabilities,
  seccompRuntimeDefault,
];
