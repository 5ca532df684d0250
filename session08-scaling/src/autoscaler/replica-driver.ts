/**
 * What the local autoscaler scales: anything that can run N copies of the worker and stop one
 * gracefully — OS processes on this machine (`ProcessReplicaDriver`), or containers through
 * Docker (a driver built on session 06's dockerode control implements the same interface). It
 * plays the part of a Deployment: `scale(n)` sets the desired count ("spec.replicas"), the
 * replicas report what exists ("status").
 */

/** Where a replica is in its life. */
export type ReplicaState =
  /** Started, not yet taking work (a pod before its readiness probe passes). */
  | 'starting'
  /** Registered and taking work. */
  | 'ready'
  /** Asked to stop (SIGTERM): finishing its tasks, taking no new ones. */
  | 'draining'
  /** Gone. */
  | 'exited';

/** One replica, as the driver sees it. */
export interface ReplicaInfo {
  /** Stable name, e.g. `worker-3` (also its WORKER_ID). */
  id: string;
  /** OS process id or container id. */
  handle: string;
  state: ReplicaState;
  /** When it was started / became ready / was asked to stop / exited (epoch ms). */
  startedAt: number;
  readyAt: number | null;
  stoppingAt: number | null;
  exitedAt: number | null;
  /** Exit code once exited (0 = graceful), `null` before or when killed by a signal. */
  exitCode: number | null;
  /** Tasks it completed (from its final report, once exited). */
  completed: number | null;
}

/**
 * A set of identical replicas the autoscaler resizes. Scale-down must be graceful: the replica
 * is asked to stop (SIGTERM), finishes or hands back its tasks, and exits on its own.
 */
export interface ReplicaDriver {
  /** What the driver runs (`process`, `container`), for views and reports. */
  readonly kind: string;
  /** The count last asked for with {@link ReplicaDriver.scale} ("spec.replicas"). */
  readonly desired: number;
  /**
   * Sets the desired count: starts replicas, or asks the newest ones to stop (gracefully;
   * they count as gone at once, and drain in the background). Resolves once the starts and
   * stop signals are issued, not when they are done.
   */
  scale(replicas: number): Promise<void>;
  /** Every replica this driver started, in start order, with its state now. */
  replicas(): ReplicaInfo[];
  /** Resolves when no replica is starting or draining (everything settled). */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops every replica gracefully and waits for them to exit. */
  close(): Promise<void>;
}

/** Counts of a driver's replicas by state. */
export interface ReplicaCounts {
  desired: number;
  starting: number;
  ready: number;
  draining: number;
  /** starting + ready: what exists and is not leaving ("status.replicas"). */
  existing: number;
}

/** Counts a driver's replicas by state. */
export function countReplicas(driver: ReplicaDriver): ReplicaCounts {
  const all = driver.replicas();
  const count = (state: ReplicaInfo['state']) => all.filter((r) => r.state === state).length;
  const starting = count('starting');
  const ready = count('ready');
  return {
    desired: driver.desired,
    starting,
    ready,
    draining: count('draining'),
    existing: starting + ready,
  };
}

/**
 * Worker-seconds used by the replicas from `from` to `to` (epoch ms): each replica counts from
 * its start to its exit (draining included: it still holds a slot), clipped to the interval.
 */
export function workerSeconds(replicas: readonly ReplicaInfo[], from: number, to: number): number {
  let ms = 0;
  for (const r of replicas) {
    const start = Math.max(from, r.startedAt);
    const end = Math.min(to, r.exitedAt ?? to);
    if (end > start) ms += end - start;
  }
  return ms / 1000;
}
