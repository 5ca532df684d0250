import type { Redis } from 'ioredis';

/** The error a {@link crashAfter} client rejects with once it has "died". */
export const CRASHED = '💥 the worker process died here';

/**
 * A client that behaves as if its process died right after `survive` commands: those run for
 * real, every later call rejects without reaching Redis. Checks use it to ask "what is left in
 * Redis if a worker dies in the middle of this?" — the question atomicity answers.
 *
 * Only calls made on the client itself count; a `multi()` or `pipeline()` counts as one call
 * and everything queued on it is sent with its `exec()`, as one unit.
 */
export function crashAfter(redis: Redis, survive = 1): Redis {
  let calls = 0;
  return new Proxy(redis, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        if (calls > survive) return Promise.reject(new Error(CRASHED));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
