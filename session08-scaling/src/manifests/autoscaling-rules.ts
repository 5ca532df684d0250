/**
 * Session 08's rules for session 07's manifest checker: what goes wrong when a workload is
 * autoscaled. They run on the whole rendered set (after session 07's own rules), and every
 * finding names its source file and line like session 07's.
 */
import { reliableKeys } from '@workbook/session05';
import {
  containerEnv,
  containersOf,
  getAt,
  isRecord,
  type ManifestObject,
  matchesSelector,
  type Rule,
  type RuleContext,
  refOf,
  toLabelSelector,
  type Violation,
  type Workload,
} from '@workbook/session07';
import { parseRedisListTrigger } from '../keda/redis-list-scaler.ts';

/** What scales a workload: an HPA or a KEDA ScaledObject. */
interface Autoscaler {
  object: ManifestObject;
  kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  targetKind: string;
  targetName: string;
}

function autoscalers(context: RuleContext): Autoscaler[] {
  const found: Autoscaler[] = [];
  for (const object of context.ofKind('HorizontalPodAutoscaler', 'ScaledObject')) {
    const kind = refOf(object).kind as Autoscaler['kind'];
    // A ScaledObject's target defaults to a Deployment (apps/v1), as in KEDA's spec.
    const targetKind = String(
      getAt(object, ['spec', 'scaleTargetRef', 'kind']) ??
        (kind === 'ScaledObject' ? 'Deployment' : ''),
    );
    const targetName = String(getAt(object, ['spec', 'scaleTargetRef', 'name']) ?? '');
    found.push({ object, kind, targetKind, targetName });
  }
  return found;
}

function targetOf(context: RuleContext, scaler: Autoscaler): ManifestObject | undefined {
  return context.find(scaler.targetKind, scaler.targetName, refOf(scaler.object).namespace);
}

function workloadOf(context: RuleContext, target: ManifestObject): Workload | undefined {
  return context.workloads().find((w) => w.object === target);
}

const describe = (s: Autoscaler) => `${s.kind} \`${refOf(s.object).name}\``;

/** A ScaledObject scales something that exists. */
export const scaledObjectTargetExists: Rule = {
  id: 'scaledobject-target-exists',
  title: "A ScaledObject's scaleTargetRef names an object of the render",
  severity: 'error',
  description:
    'KEDA reports the ScaledObject as not ready and scales nothing when its target is missing: a typo in the name is silent until the queue overflows.',
  *check(context) {
    for (const scaler of autoscalers(context)) {
      if (scaler.kind !== 'ScaledObject' || targetOf(context, scaler)) continue;
      const candidates = context.ofKind(scaler.targetKind).map((o) => refOf(o).name);
      yield {
        object: scaler.object,
        path: ['spec', 'scaleTargetRef', 'name'],
        message: `${describe(scaler)} scales ${scaler.targetKind} \`${scaler.targetName}\`, which is not in the render${candidates.length ? ` (there is: ${candidates.join(', ')})` : ''}`,
        fix: 'Name the Deployment to scale in spec.scaleTargetRef.name (same namespace).',
      };
    }
  },
};

/** One workload, one autoscaler. */
export const oneAutoscalerPerWorkload: Rule = {
  id: 'one-autoscaler-per-workload',
  title: 'An HPA and a ScaledObject never scale the same workload',
  severity: 'error',
  description:
    'KEDA creates its own HPA for every ScaledObject; a second HPA on the same Deployment sets replicas from other metrics, and the two overwrite each other every sync (the replica count flaps).',
  *check(context) {
    const byTarget = new Map<string, Autoscaler[]>();
    for (const scaler of autoscalers(context)) {
      const key = `${refOf(scaler.object).namespace}/${scaler.targetKind}/${scaler.targetName}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), scaler]);
    }
    for (const scalers of byTarget.values()) {
      if (scalers.length < 2) continue;
      const [first, ...others] = scalers;
      for (const other of others) {
        yield {
          object: other.object,
          path: ['spec', 'scaleTargetRef'],
          message: `${first!.targetKind} \`${first!.targetName}\` is scaled by ${describe(first!)} and by ${describe(other)}: KEDA makes an HPA of its own for a ScaledObject, and two HPAs on one workload overwrite each other's replica count`,
          fix: 'Keep one autoscaler: put every metric in one HPA, or every trigger in one ScaledObject (KEDA also takes cpu and memory triggers).',
        };
      }
    }
  },
};

/** Utilization is a percentage of the request: the request must be set. */
export const utilizationNeedsRequests: Rule = {
  id: 'utilization-needs-requests',
  title: 'A Utilization target scales a workload whose containers request that resource',
  severity: 'error',
  description:
    'The HPA computes utilization as usage / request. A container without a request for the resource makes the metric undefined: the HPA reports FailedGetResourceMetric and never scales.',
  *check(context) {
    for (const scaler of autoscalers(context)) {
      if (scaler.kind !== 'HorizontalPodAutoscaler') continue;
      const target = targetOf(context, scaler);
      const workload = target && workloadOf(context, target);
      if (!workload) continue;
      const metrics = getAt(scaler.object, ['spec', 'metrics']);
      for (const [index, metric] of (Array.isArray(metrics) ? metrics : []).entries()) {
        if (!isRecord(metric) || metric.type !== 'Resource') continue;
        if (getAt(metric, ['resource', 'target', 'type']) !== 'Utilization') continue;
        const resource = String(getAt(metric, ['resource', 'name']) ?? '');
        for (const container of containersOf(workload, { init: false })) {
          if (getAt(container.container, ['resources', 'requests', resource]) !== undefined)
            continue;
          yield {
            object: scaler.object,
            path: ['spec', 'metrics', index, 'resource', 'target'],
            message: `${describe(scaler)} targets ${resource} Utilization, but container \`${container.name}\` of ${workload.kind} \`${workload.name}\` requests no ${resource}: utilization is undefined and the HPA will not scale`,
            fix: `Set resources.requests.${resource} on every container of ${workload.name} (or use an AverageValue target).`,
          };
        }
      }
    }
  },
};

/** A redis trigger's metadata parses (listLength a number, a Redis address given). */
export const redisTriggerMetadata: Rule = {
  id: 'redis-trigger-metadata',
  title: "A redis trigger's metadata is valid",
  severity: 'error',
  description:
    'KEDA reads trigger metadata as strings when the ScaledObject is reconciled, not when it is applied: a bad listLength or a missing address shows up only as a ScaledObject that never becomes ready.',
  *check(context) {
    for (const { object, index, metadata } of redisTriggers(context)) {
      const at = ['spec', 'triggers', index, 'metadata'];
      try {
        parseRedisListTrigger(metadata as never);
      } catch (error) {
        yield {
          object,
          path: at,
          message: (error as Error).message,
          fix: 'Write listName, and listLength / activationListLength as numbers in quotes, e.g. "5".',
        };
      }
      const addressed = ['address', 'addressFromEnv', 'host', 'hostFromEnv'].some(
        (k) => typeof metadata[k] === 'string',
      );
      if (!addressed) {
        yield {
          object,
          path: at,
          message:
            'The redis trigger names no Redis: none of address, addressFromEnv, host, hostFromEnv is set',
          fix: 'Add hostFromEnv: REDIS_HOST and port: "6379" (read from the worker container), or address: host:port.',
        };
      }
    }
  },
};

/** A redis trigger watches the pending list of the queue its workers consume. */
export const redisTriggerWatchesQueue: Rule = {
  id: 'redis-trigger-watches-queue',
  title: "A redis trigger's listName is the pending list of the worker's QUEUE",
  severity: 'error',
  description:
    'The trigger must count the tasks the scaled workers take: `imgq:{<QUEUE>}:pending`. A list nobody fills (the bare queue name, another queue) reads 0 forever, so the workers stay at zero while the queue grows.',
  *check(context) {
    for (const { object, index, metadata } of redisTriggers(context)) {
      const scaler = autoscalers(context).find((s) => s.object === object);
      const target = scaler && targetOf(context, scaler);
      const workload = target && workloadOf(context, target);
      if (!workload) continue;
      const container = containersOf(workload, { init: false })[0];
      if (!container) continue;
      const queue =
        containerEnv(container, context.objects)
          .filter((e) => e.name === 'QUEUE')
          .pop()?.value ?? 'images';
      const expected = reliableKeys(queue).pending;
      if (metadata.listName === expected) continue;
      yield {
        object,
        path: ['spec', 'triggers', index, 'metadata', 'listName'],
        message: `The trigger watches \`${String(metadata.listName)}\`, but ${workload.kind} \`${workload.name}\` consumes queue \`${queue}\`, whose waiting tasks are in \`${expected}\``,
        fix: `Set listName: "${expected}" (quoted: the braces are part of the key).`,
      };
    }
  },
};

/** An autoscaled Deployment keeps its capacity during a rollout and a node drain. */
export const autoscaledRolloutKeepsCapacity: Rule = {
  id: 'autoscaled-rollout-keeps-capacity',
  title: 'An autoscaled Deployment rolls out without losing workers, and has a disruption budget',
  severity: 'warning',
  description:
    'A rollout with the default maxUnavailable (25 %) stops a quarter of the workers before their replacements are ready, while the autoscaler sized the pool for the queue; a node drain without a PodDisruptionBudget may stop all of them at once.',
  *check(context) {
    for (const scaler of autoscalers(context)) {
      const target = targetOf(context, scaler);
      if (!target || refOf(target).kind !== 'Deployment') continue;
      const maxUnavailable = getAt(target, ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable']);
      if (maxUnavailable !== 0 && maxUnavailable !== '0%') {
        yield {
          object: target,
          path: ['spec', 'strategy'],
          message: `Deployment \`${refOf(target).name}\` is autoscaled by ${describe(scaler)} but a rollout may take down ${maxUnavailable === undefined ? '25 % (the default maxUnavailable)' : String(maxUnavailable)} of its workers before their replacements are ready`,
          fix: 'Set strategy.rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }.',
        };
      }
      const labels = getAt(target, ['spec', 'template', 'metadata', 'labels']);
      const covered = context.ofKind('PodDisruptionBudget').some((pdb) => {
        const selector = toLabelSelector(getAt(pdb, ['spec', 'selector']));
        return (
          refOf(pdb).namespace === refOf(target).namespace &&
          isRecord(labels) &&
          matchesSelector(selector, labels as Record<string, string>)
        );
      });
      if (!covered) {
        yield {
          object: target,
          path: ['metadata', 'name'],
          message: `Deployment \`${refOf(target).name}\` is autoscaled by ${describe(scaler)} but no PodDisruptionBudget covers its pods: a node drain may evict every worker at once`,
          fix: 'Add a PodDisruptionBudget with maxUnavailable: 1 selecting the worker pods.',
        } satisfies Violation;
      }
    }
  },
};

function* redisTriggers(
  context: RuleContext,
): Generator<{ object: ManifestObject; index: number; metadata: Record<string, unknown> }> {
  for (const object of context.ofKind('ScaledObject')) {
    const triggers = getAt(object, ['spec', 'triggers']);
    for (const [index, trigger] of (Array.isArray(triggers) ? triggers : []).entries()) {
      if (!isRecord(trigger) || trigger.type !== 'redis') continue;
      yield { object, index, metadata: isRecord(trigger.metadata) ? trigger.metadata : {} };
    }
  }
}

/** Every autoscaling rule of session 08, in the order the README lists them. */
export const AUTOSCALING_RULES: readonly Rule[] = [
  scaledObjectTargetExists,
  oneAutoscalerPerWorkload,
  utilizationNeedsRequests,
  redisTriggerMetadata,
  redisTriggerWatchesQueue,
  autoscaledRolloutKeepsCapacity,
];
