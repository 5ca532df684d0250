import type { ReliableKeys } from '@workbook/session05';
import type { Redis } from 'ioredis';

/** The keys a heartbeat touches (`reliableKeys(name)` has them all). */
export type HeartbeatKeys = Pick<ReliableKeys, 'workers' | 'worker' | 'alive'>;

/**
 * One heartbeat of worker `workerId`: it stays alive for `ttlMs` unless the next beat comes.
 *
 * @example
 * await sendHeartbeat(redis, reliableKeys('images'), 'worker-1', 2_000);
 */
export async function sendHeartbeat(
  redis: Redis,
  keys: HeartbeatKeys,
  workerId: string,
  ttlMs: number,
): Promise<void> {
  const now = Date.now();
  // One MULTI: a crash can never leave a worker "known" without its alive key, or the reverse.
  await redis
    .multi()
    .set(keys.alive(workerId), now)
    .zadd(keys.workers, now, workerId)
    .hset(keys.worker(workerId), { lastSeen: now, ttlMs })
    .exec();
}

/**
 * The known workers (members of `keys.workers`) whose heartbeat key has expired, sorted.
 *
 * @example
 * await findDeadWorkers(redis, reliableKeys('images')); // ['worker-3']
 */
export async function findDeadWorkers(redis: Redis, keys: HeartbeatKeys): Promise<string[]> {
  const known = await redis.zrange(keys.workers, 0, '-1');
  const alive = await Promise.all(known.map((id) => redis.exists(keys.alive(id))));
  return known.filter((_, index) => alive[index] === 0).sort();
}
