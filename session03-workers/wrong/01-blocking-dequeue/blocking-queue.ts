import { QueueClosedError } from '@workbook/session03';

/**
 * Known-wrong variant: `take` polls (looks at the items again every 10 ms) instead of joining
 * a waiter list that `push` wakes. It works, slowly and wastefully; see WRONG.md.
 */
export class BlockingQueue<T> {
  readonly #items: T[] = [];
  #polling = 0;
  #closed = false;

  get waiting(): number {
    return this.#polling;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.#closed) throw new QueueClosedError('push');
    this.#items.push(item);
  }

  async take(timeoutMs: number): Promise<T | null> {
    if (this.#closed) throw new QueueClosedError('take');
    const deadline = Date.now() + timeoutMs;
    this.#polling++;
    try {
      for (;;) {
        if (this.#items.length > 0) return this.#items.shift() as T;
        if (this.#closed || Date.now() >= deadline) return null;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      this.#polling--;
    }
  }

  close(): void {
    this.#closed = true;
  }
}
