import { checkInteger, describeValue, InvalidOptionError } from '@workbook/session01';
import { callScript, type QueueConnection } from '@workbook/session04/core';
import type { ReliableKeys } from './keys.ts';
import { PURGE_DEAD, RETRY_DEAD } from './scripts.ts';

/**
 * Administration of the dead letter queue: put tasks back to work after a fix, or delete them
 * for good. Reading the DLQ is the {@link QueueInspector}'s job (`deadLetters()`); this part
 * changes it, always in batches of at most `batch` per script call so that a huge DLQ never
 * blocks Redis.
 */
export class DeadLetters {
  readonly #redis: QueueConnection<ReliableKeys>;
  readonly #batch: number;

  /** @param batch most entries one script call moves or deletes */
  constructor(redis: QueueConnection<ReliableKeys>, batch: number) {
    this.#redis = redis;
    this.#batch = batch;
  }

  /**
   * Moves dead-lettered tasks back to pending (Lua `retryDead-4.lua`): the given ids, or all.
   * Attempts are reset to 0 unless `keepAttempts` (then the task gets only what it had left,
   * at least one more delivery).
   * @returns the ids moved, and the ids that were not in the DLQ.
   * @throws {InvalidOptionError} for a target that is neither ids nor `'all'`
   */
  async retry(
    target: readonly string[] | 'all',
    options: { keepAttempts?: boolean } = {},
  ): Promise<{ retried: string[]; missing: string[] }> {
    const keepAttempts = options.keepAttempts === true ? '1' : '0';
    const { keys } = this.#redis;
    const call = (mode: 'all' | 'ids', ids: readonly string[]) =>
      this.#redis.run(() =>
        callScript(
          this.#redis.client,
          RETRY_DEAD,
          { dlq: keys.dlq, pending: keys.pending, stats: keys.stats, signal: keys.signal },
          {
            taskPrefix: keys.taskPrefix,
            resultPrefix: keys.resultPrefix,
            keepAttempts,
            mode,
            batch: this.#batch,
          },
          ids,
        ),
      );
    if (target !== 'all') {
      if (!Array.isArray(target) || target.some((id) => typeof id !== 'string' || id === '')) {
        throw new InvalidOptionError(`Expected task ids or 'all', got ${describeValue(target)}`);
      }
      if (target.length === 0) return { retried: [], missing: [] };
      const [retried, missing] = await call('ids', target);
      return { retried, missing };
    }
    // In batches, but never more than what was there when we started: tasks that die again
    // meanwhile wait for the next call instead of keeping this one going.
    let budget = await this.#redis.run(() => this.#redis.client.zcard(keys.dlq));
    const retried: string[] = [];
    while (budget > 0) {
      const [moved] = await call('all', []);
      if (moved.length === 0) break;
      retried.push(...moved);
      budget -= moved.length;
    }
    return { retried, missing: [] };
  }

  /**
   * Deletes dead-lettered tasks for good (Lua `purgeDead-1.lua`, in batches).
   * @param options.olderThanMs only entries dead-lettered longer ago than this @default all
   * @returns how many were deleted.
   */
  async purge(options: { olderThanMs?: number } = {}): Promise<number> {
    const olderThanMs =
      options.olderThanMs === undefined
        ? -1
        : checkInteger('olderThanMs', options.olderThanMs, { min: 0 });
    const { keys } = this.#redis;
    let purged = 0;
    for (;;) {
      const n = await this.#redis.run(() =>
        callScript(
          this.#redis.client,
          PURGE_DEAD,
          { dlq: keys.dlq },
          {
            taskPrefix: keys.taskPrefix,
            resultPrefix: keys.resultPrefix,
            olderThanMs,
            batch: this.#batch,
          },
        ),
      );
      purged += n;
      if (n < this.#batch) return purged;
    }
  }
}
