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
  // 🐨 In ONE redis.multi() ... .exec():
  //   1. SET keys.alive(workerId) now PX ttlMs   — expires by itself when the beats stop
  //   2. ZADD keys.workers now workerId          — remembered, so it can be found dead later
  //   3. HSET keys.worker(workerId) lastSeen now ttlMs ttlMs
  // 💰 const now = Date.now();
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
  // 🐨 List keys.workers (ZRANGE 0 -1); keep the ids whose keys.alive(id) does not EXIST; sort.
  void redis;
  void keys;
  throw new Error('🐨 TODO (05.1): find the known workers whose heartbeat key expired');
}
