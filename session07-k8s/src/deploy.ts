/**
 * The deploy path: when kubectl reaches a cluster, check the overlay, apply it, wait for the
 * rollouts, run the producer Job and wait until the workers have done its tasks. When it
 * reaches none, stop at once and say how to get one. Every kubectl call has a timeout.
 */
import path from 'node:path';
import { K8sError, K8sErrorCodes, NO_CLUSTER_FIX } from './errors.ts';
import { type KubectlOptions, runKubectl } from './kubectl.ts';
import { getAt, type ManifestObject, refOf } from './manifest.ts';
import { cleanKubectlError } from './render.ts';
import { type CheckOptions, checkTargets } from './validator.ts';

/** Options of {@link deployOverlay}. */
export interface DeployOptions extends CheckOptions {
  /** Environment of kubectl (KUBECONFIG). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** How long kubectl may wait for the API server on each request. @default '5s' */
  requestTimeout?: string;
  /** How long to wait for each rollout, the Job and the tasks. @default 300_000 */
  waitMs?: number;
  /** Progress lines for people. @default nothing */
  onProgress?: (line: string) => void;
}

/** What a deploy did. */
export interface DeployResult {
  context: string;
  namespace: string;
  /** `kubectl apply` output lines (`deployment.apps/imgq-worker configured`). */
  applied: string[];
  tasks: { enqueued: number; completed: number; deadLettered: number };
  durationMs: number;
}

function kubectlOptions(options: DeployOptions, timeoutMs = 30_000): KubectlOptions {
  return { kubectl: options.kubectl, env: options.env, timeoutMs, cwd: options.cwd };
}

/**
 * The current context if kubectl reaches its API server.
 * @throws {K8sError} `ERR_NO_CLUSTER` with kubectl's reason and how to start a cluster.
 */
export async function ensureCluster(options: DeployOptions = {}): Promise<string> {
  const timeout = `--request-timeout=${options.requestTimeout ?? '5s'}`;
  const context = await runKubectl(['config', 'current-context'], kubectlOptions(options, 10_000));
  const probe = await runKubectl(
    ['get', '--raw=/readyz', timeout],
    kubectlOptions(options, 20_000),
  );
  if (probe.code === 0) return context.stdout.trim() || '(default)';
  const reason = probe.timedOut
    ? 'the API server did not answer in time'
    : cleanKubectlError(probe.stderr || context.stderr).replace(/[.?!]+$/, '');
  throw new K8sError(
    K8sErrorCodes.NO_CLUSTER,
    `kubectl reaches no Kubernetes cluster${context.code === 0 ? ` (context \`${context.stdout.trim()}\`)` : ' (no context is set)'}: ${reason}.\n${NO_CLUSTER_FIX}`,
  );
}

async function kubectl(
  args: string[],
  options: DeployOptions,
  step: string,
  timeoutMs = 60_000,
): Promise<string> {
  const result = await runKubectl(args, kubectlOptions(options, timeoutMs));
  if (result.code === 0) return result.stdout;
  throw new K8sError(
    K8sErrorCodes.DEPLOY_FAILED,
    `${step} failed: ${result.timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : cleanKubectlError(result.stderr)} (\`kubectl ${args.join(' ')}\`).`,
  );
}

/**
 * Checks, applies and runs an overlay on the cluster kubectl points at.
 * @throws {K8sError} `ERR_NO_CLUSTER` (at once, before anything else), `ERR_MANIFESTS_INVALID`
 * (the check found errors), `ERR_DEPLOY_FAILED` (a step failed; the message says which and why).
 */
export async function deployOverlay(
  overlay: string,
  options: DeployOptions = {},
): Promise<DeployResult> {
  const started = performance.now();
  const say = options.onProgress ?? (() => {});
  const context = await ensureCluster(options);
  say(`cluster: context ${context}`);
  const report = await checkTargets([overlay], options);
  if (report.errors > 0) {
    throw new K8sError(
      K8sErrorCodes.MANIFESTS_INVALID,
      `\`k8s check ${overlay}\` found ${report.errors} error(s); nothing was applied. Run \`pnpm k8s check ${overlay}\` to see them.`,
    );
  }
  const objects = report.targets[0]!.objects;
  const namespace =
    refOf(objects.find((o) => refOf(o).kind === 'Namespace') ?? {}).name ||
    objects.map((o) => refOf(o).namespace).find(Boolean) ||
    'default';
  say(`check: ${objects.length} objects, 0 errors`);
  const dir = path.resolve(options.cwd ?? process.cwd(), overlay);
  const jobs = objects.filter((o) => refOf(o).kind === 'Job').map((o) => refOf(o).name);
  for (const job of jobs) {
    // A Job's pod template cannot change and a finished Job does not run again: start afresh.
    await kubectl(
      ['delete', 'job', job, '-n', namespace, '--ignore-not-found', '--wait=true'],
      options,
      `Deleting the old Job ${job}`,
    );
  }
  const applied = (await kubectl(['apply', '-k', dir], options, 'kubectl apply', 120_000))
    .trim()
    .split('\n');
  say(`apply: ${applied.length} objects`);
  const waitMs = options.waitMs ?? 300_000;
  for (const object of objects.filter((o) =>
    ['StatefulSet', 'Deployment'].includes(refOf(o).kind),
  )) {
    const ref = refOf(object);
    say(`rollout: waiting for ${ref.kind} ${ref.name}`);
    await waitRollout(ref.kind.toLowerCase(), ref.name, namespace, options, waitMs);
  }
  for (const job of jobs) {
    say(`job: waiting for ${job} to complete`);
    await kubectl(
      [
        'wait',
        '--for=condition=complete',
        `job/${job}`,
        '-n',
        namespace,
        `--timeout=${Math.round(waitMs / 1000)}s`,
      ],
      options,
      `The Job ${job}`,
      waitMs + 10_000,
    );
  }
  const tasks = await waitForTasks(objects, namespace, options, waitMs, say);
  return { context, namespace, applied, tasks, durationMs: performance.now() - started };
}

async function waitRollout(
  kind: string,
  name: string,
  namespace: string,
  options: DeployOptions,
  waitMs: number,
): Promise<void> {
  const args = [
    'rollout',
    'status',
    `${kind}/${name}`,
    '-n',
    namespace,
    `--timeout=${Math.round(waitMs / 1000)}s`,
  ];
  const result = await runKubectl(args, kubectlOptions(options, waitMs + 10_000));
  if (result.code === 0) return;
  const pods = await runKubectl(
    ['get', 'pods', '-n', namespace, '-o', 'json'],
    kubectlOptions(options),
  );
  throw new K8sError(
    K8sErrorCodes.DEPLOY_FAILED,
    `The rollout of ${kind} ${name} did not finish: ${cleanKubectlError(result.stderr || result.stdout)}.${podProblems(pods.stdout)}`,
  );
}

/** Why pods are stuck, from `kubectl get pods -o json`, with the usual fixes. */
export function podProblems(json: string): string {
  let items: unknown[] = [];
  try {
    items = (JSON.parse(json) as { items?: unknown[] }).items ?? [];
  } catch {
    return '';
  }
  const lines: string[] = [];
  for (const pod of items) {
    const name = String(getAt(pod, ['metadata', 'name']) ?? '');
    const statuses = [
      ...((getAt(pod, ['status', 'initContainerStatuses']) as unknown[]) ?? []),
      ...((getAt(pod, ['status', 'containerStatuses']) as unknown[]) ?? []),
    ];
    for (const status of statuses) {
      const reason = getAt(status, ['state', 'waiting', 'reason']);
      if (
        typeof reason !== 'string' ||
        reason === 'PodInitializing' ||
        reason === 'ContainerCreating'
      )
        continue;
      const hint = /ImagePull|ErrImage/.test(reason)
        ? ' — the cluster cannot pull the image: load it (kind load docker-image imgq-worker:0.1.0 imgq:0.1.0 --name imgq; minikube image load …; k3d image import … -c imgq)'
        : '';
      lines.push(`  ${name}: ${reason}${hint}`);
    }
    if (getAt(pod, ['status', 'phase']) === 'Pending' && statuses.length === 0)
      lines.push(`  ${name}: Pending (kubectl describe pod ${name} shows why)`);
  }
  return lines.length ? `\nPods:\n${lines.join('\n')}` : '';
}

/** The course's queue keys, as the worker contract lays them out. */
function statsKeys(queue: string): { stats: string; dlq: string } {
  return { stats: `imgq:{${queue}}:stats`, dlq: `imgq:{${queue}}:dlq` };
}

async function waitForTasks(
  objects: readonly ManifestObject[],
  namespace: string,
  options: DeployOptions,
  waitMs: number,
  say: (line: string) => void,
): Promise<DeployResult['tasks']> {
  const redis = objects.find((o) => refOf(o).kind === 'StatefulSet');
  const config = objects.find(
    (o) => refOf(o).kind === 'ConfigMap' && getAt(o, ['data', 'QUEUE']) !== undefined,
  );
  const queue = String(getAt(config, ['data', 'QUEUE']) ?? 'images');
  if (!redis) return { enqueued: 0, completed: 0, deadLettered: 0 };
  const pod = `${refOf(redis).name}-0`;
  const keys = statsKeys(queue);
  const deadline = Date.now() + waitMs;
  let last = { enqueued: 0, completed: 0, deadLettered: 0 };
  while (Date.now() < deadline) {
    const counts = await kubectl(
      [
        'exec',
        '-n',
        namespace,
        pod,
        '--',
        'redis-cli',
        'HMGET',
        keys.stats,
        'enqueued',
        'completed',
      ],
      options,
      'Reading the queue counters',
    );
    const dlq = await kubectl(
      ['exec', '-n', namespace, pod, '--', 'redis-cli', 'ZCARD', keys.dlq],
      options,
      'Reading the dead letter queue',
    );
    const [enqueued, completed] = counts
      .trim()
      .split('\n')
      .map((n) => Number(n) || 0);
    last = {
      enqueued: enqueued ?? 0,
      completed: completed ?? 0,
      deadLettered: Number(dlq.trim()) || 0,
    };
    say(`tasks: ${last.completed} done, ${last.deadLettered} dead-lettered, of ${last.enqueued}`);
    if (last.enqueued > 0 && last.completed + last.deadLettered >= last.enqueued) return last;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  throw new K8sError(
    K8sErrorCodes.DEPLOY_FAILED,
    `The workers did not finish the tasks within ${Math.round(waitMs / 1000)} s (${last.completed} done, ${last.deadLettered} dead-lettered, of ${last.enqueued}). \`kubectl logs -n ${namespace} deploy/imgq-worker\` shows what they do.`,
  );
}
