import type { Redis } from 'ioredis';

/**
 * Makes a lease period pass without waiting for it: moves the deadlines of `taskIds` in the
 * queue's leases set (`queue.keys.leases`) to just before Redis's clock, as if their holders had
 * stopped extending them. Only tasks that hold a lease are touched (`ZADD XX`).
 * @returns Redis's clock (ms) at that moment, and how many deadlines were moved.
 */
export async function expireLeases(
  redis: Redis,
  leasesKey: string,
  taskIds: readonly string[],
): Promise<{ now: number; moved: number }> {
  const [seconds, micros] = await redis.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  let moved = 0;
  for (const id of taskIds) moved += await redis.zadd(leasesKey, 'XX', 'CH', now - 1, id);
  return { now, moved };
}
