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
  // 🐨 1. Start ONE timer for the whole grace period (it starts now, at the call).
  // 🐨 2. Call `target.stopFetching()` and wait for it — but not past the grace period.
  // 🐨 3. Only then read `target.inFlight()`: the last fetch may have started one more task.
  // 🐨 4. Wait until every in-flight task has ended (resolved OR rejected), or the grace
  //       period is over, whichever comes first. Do not wait the full grace period when the
  //       tasks end sooner.
  // 🐨 5. Return the ids that ended as `finished`, the others as `abandoned`, in the order
  //       `inFlight()` listed them.
  // 💰 Promise.race([allTasksEnded, timeUp]) waits for whichever comes first.
  // 💰 Clear the timer before returning (try/finally), or it keeps the process alive.
  throw new Error('🐨 TODO (03.4): implement stopGracefully');
}
