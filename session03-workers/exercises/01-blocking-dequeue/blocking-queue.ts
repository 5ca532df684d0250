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
    // 🐨 How many consumers are in the waiter list?
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
    // 🐨 1. If the queue is closed, throw `new QueueClosedError('push')`.
    // 🐨 2. If a consumer is waiting, hand the item to the OLDEST waiter (first come, first
    //       served). Otherwise add it to the items.
    throw new Error('🐨 TODO (03.1): implement push');
  }

  /**
   * Takes the oldest item; when there is none, waits up to `timeoutMs` for one and resolves
   * `null` if none came. `timeoutMs: 0` never waits.
   * @throws {QueueClosedError} (rejects) after `close()`.
   */
  async take(timeoutMs: number): Promise<T | null> {
    // 🐨 1. Closed? throw `new QueueClosedError('take')`.
    // 🐨 2. An item is there? return the oldest one.
    // 🐨 3. timeoutMs <= 0? return null at once.
    // 🐨 4. Otherwise return a new Promise and add a waiter to `this.#waiters`. No polling
    //       (no setInterval, no loop that looks again): push() wakes the waiter.
    // 💰 The timeout is one setTimeout. When it fires, take the waiter OFF the list before
    //    resolving null, or a later push() hands its item to nobody.
    // 💰 When the waiter gets an item, clear its timer.
    throw new Error('🐨 TODO (03.1): implement take');
  }

  /** Closes the queue: every waiting consumer gets `null`; later calls throw. */
  close(): void {
    // 🐨 Mark the queue closed and settle every waiter with null (empty the list).
    throw new Error('🐨 TODO (03.1): implement close');
  }
}
