import { QueueClosedError } from '@workbook/session03';

/** A consumer waiting in `take`. */
interface Waiter<T> {
  settle(item: T | null): void;
}

/**
 * A FIFO queue whose `take` waits for an item, up to a timeout: the heart of
 * `InMemoryTaskQueue.dequeue`, without tasks, acks or results.
 */
export class BlockingQueue<T> {
  readonly #items: T[] = [];
  readonly #waiters: Waiter<T>[] = [];
  #closed = false;

  /** Consumers blocked in `take` right now. */
  get waiting(): number {
    throw new Error('🐨 TODO (03.1): return the number of waiting consumers');
  }

  /** Items queued and not taken yet. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * Adds an item, or hands it straight to the consumer that has waited longest.
   * @throws {QueueClosedError} after `close()`.
   */
  push(item: T): void {
    // 🐨 README step 2. Who gets the item when several consumers are waiting?
    throw new Error('🐨 TODO (03.1): implement push');
  }

  /**
   * Takes the oldest item; when there is none, waits up to `timeoutMs` for one and resolves
   * `null` if none came. `timeoutMs: 0` never waits.
   * @throws {QueueClosedError} (rejects) after `close()`.
   */
  async take(timeoutMs: number): Promise<T | null> {
    // 🐨 README step 3. No polling: push() must be able to wake this consumer. And a
    //    consumer that gave up must never be handed an item. (`pnpm hint 03.1` if stuck.)
    throw new Error('🐨 TODO (03.1): implement take');
  }

  /** Closes the queue: every waiting consumer gets `null`; later calls throw. */
  close(): void {
    throw new Error('🐨 TODO (03.1): implement close');
  }
}
