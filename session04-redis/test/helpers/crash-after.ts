import type { Redis } from 'ioredis';

/** The error a {@link crashAfterFirstChange} client rejects with once it has "died". */
export const CRASHED = '💥 the worker process died here';

/**
 * A client whose process "dies" right after the first command that CHANGED something in Redis:
 * every call runs for real until `state()` (read on another connection) differs from what it
 * was before the first call; from then on, calls reject without reaching Redis. Reads a
 * solution makes on the way (a PING, an LLEN) do not count: only the question "what is left in
 * Redis if the worker dies right after its first write?" does.
 *
 * A `multi()` or `pipeline()` is handed over as it is: everything queued on it is sent with its
 * `exec()`, as one unit.
 */
export async function crashAfterFirstChange(
  redis: Redis,
  state: () => Promise<string>,
): Promise<Redis> {
  const before = await state();
  let dead = false;
  return new Proxy(redis, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (dead) return Promise.reject(new Error(CRASHED));
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const afterwards = async () => {
          if ((await state()) !== before) dead = true;
        };
        return result.then(
          async (reply: unknown) => {
            await afterwards();
            return reply;
          },
          async (error: unknown) => {
            await afterwards();
            throw error;
          },
        );
      };
    },
  });
}
