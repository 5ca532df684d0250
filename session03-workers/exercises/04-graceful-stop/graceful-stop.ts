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
  // 🐨 The five steps of the README. The grace period covers BOTH waits, counted from this
  //    call. (`pnpm hint 03.4` if stuck.)
  throw new Error('🐨 TODO (03.4): implement stopGracefully');
}
