/** What `stopGracefully` needs from a worker. */
export interface StopTarget {
  /** Stops fetching new tasks; resolves once the fetch loop has exited (nothing starts after). */
  stopFetching(): Promise<void>;
  /** The tasks running now: id → a promise that settles when the task ends (either way). */
  inFlight(): ReadonlyMap<string, Promise<unknown>>;
}

/** Which in-flight tasks ended within the grace period, and which were given up on. */
export interface GracefulStopResult {
  /** Ended (completed or failed) before the grace period ran out. */
  finished: string[];
  /** Still running when it ran out: not acked; reported so they can be handed back. */
  abandoned: string[];
}

/**
 * Stops a worker gracefully: stop fetching first, then wait for the tasks in flight — but
 * never longer than `gracePeriodMs`, counted from the call. Resolves as soon as the last task
 * ends, or when the grace period runs out, whichever comes first.
 */
export async function stopGracefully(
  target: StopTarget,
  gracePeriodMs: number,
): Promise<GracefulStopResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<'time up'>((resolve) => {
    timer = setTimeout(() => resolve('time up'), gracePeriodMs);
  });
  try {
    // First: no new work. The last fetch may still start a task, so read the in-flight tasks
    // only after the loop has exited.
    const fetching = await Promise.race([target.stopFetching().then(() => 'stopped'), timeUp]);
    const running = target.inFlight();
    const ended = new Set<string>();
    if (fetching === 'stopped') {
      const tracked = [...running].map(([id, task]) =>
        task.then(
          () => ended.add(id),
          () => ended.add(id), // a task that failed has still ended
        ),
      );
      void tracked;
      await timeUp;
    }
    const ids = [...running.keys()];
    return {
      finished: ids.filter((id) => ended.has(id)),
      abandoned: ids.filter((id) => !ended.has(id)),
    };
  } finally {
    clearTimeout(timer); // resolving early must not leave the grace timer running
  }
}
