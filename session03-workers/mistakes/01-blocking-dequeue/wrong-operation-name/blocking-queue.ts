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
    return this.#waiters.length;
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
    if (this.#closed) throw new QueueClosedError('take');
    const waiter = this.#waiters.shift();
    if (waiter) waiter.settle(item);
    else this.#items.push(item);
  }

  /**
   * Takes the oldest item; when there is none, waits up to `timeoutMs` for one and resolves
   * `null` if none came. `timeoutMs: 0` never waits.
   * @throws {QueueClosedError} (rejects) after `close()`.
   */
  async take(timeoutMs: number): Promise<T | null> {
    if (this.#closed) throw new QueueClosedError('take');
    if (this.#items.length > 0) return this.#items.shift() as T;
    if (timeoutMs <= 0) return null;
    return new Promise<T | null>((resolve) => {
      const waiter: Waiter<T> = {
        settle: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        // Leave the list before resolving, so push() never hands an item to a consumer that
        // has given up (the item would be lost).
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        resolve(null);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Closes the queue: every waiting consumer gets `null`; later calls throw. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.settle(null);
  }
}
