/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. @default 5000 */
  timeoutMs?: number;
  /** Time between polls. @default 20 */
  intervalMs?: number;
  /** Prefix of the timeout error message. @default 'Condition not met' */
  message?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the time runs out.
 * Bounded polling: tests wait for what they need, not for a fixed sleep.
 *
 * @example
 * await waitFor(async () => (await queue.stats()).completed === 3, { timeoutMs: 5000 });
 * @throws {Error} naming the condition and the time waited when it never holds; the last error
 * thrown by `condition` is kept as `cause`.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 5_000, intervalMs = 20, message = 'Condition not met' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${message} within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
