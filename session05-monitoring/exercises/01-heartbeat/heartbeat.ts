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
  // 🐨 README 🐨 1: three commands, all or nothing. (`pnpm hint 05.1` if stuck.)
  void redis;
  void keys;
  void workerId;
  void ttlMs;
  throw new Error('🐨 TODO (05.1): send one heartbeat (SET ... PX, ZADD, HSET) in one MULTI');
}

/**
 * The known workers (members of `keys.workers`) whose heartbeat key has expired, sorted.
 *
 * @example
 * await findDeadWorkers(redis, reliableKeys('images')); // ['worker-3']
 */
export async function findDeadWorkers(redis: Redis, keys: HeartbeatKeys): Promise<string[]> {
  // 🐨 README 🐨 2: known, but no alive key.
  void redis;
  void keys;
  throw new Error('🐨 TODO (05.1): find the known workers whose heartbeat key expired');
}
