import type { HeldTask, LeasedTask } from './queue-types.ts';

/**
 * What one queue instance holds: every lease it took (tasks handed out and tasks prefetched),
 * and which of them still wait in this process for a `dequeue` (the prefetch buffer, in
 * delivery order). The queue asks Redis; the book remembers the answers, so that extending,
 * handing back and fencing always use the token of the current delivery.
 */
export class LeaseBook {
  readonly #held = new Map<string, HeldTask>();
  readonly #buffer: LeasedTask[] = [];

  /** Records tasks just leased in one delivery; they wait in the buffer until handed out. */
  add(tasks: readonly LeasedTask[], since = Date.now()): void {
    for (const task of tasks) {
      this.#held.set(task.id, { task, token: task.lease, since });
      this.#buffer.push(task);
    }
  }

  /** The next buffered task, now handed out (its `since` restarts: it starts now). */
  handOut(): LeasedTask | null {
    const task = this.#buffer.shift();
    if (!task) return null;
    const held = this.#held.get(task.id);
    if (held) held.since = Date.now();
    return task;
  }

  /** Takes every buffered task out of the buffer (they stay held until released). */
  drainBuffer(): LeasedTask[] {
    return this.#buffer.splice(0);
  }

  /** The tasks handed out and still held (what the worker runs), as copies. */
  handedOut(): HeldTask[] {
    const waiting = new Set(this.#buffer.map((task) => task.id));
    return [...this.#held.values()].filter((h) => !waiting.has(h.task.id)).map((h) => ({ ...h }));
  }

  /** Every held lease as `id, token, id, token, ...` (what the lease scripts take). */
  pairs(): string[] {
    return [...this.#held.values()].flatMap((held) => [held.task.id, held.token]);
  }

  /** Every held task. */
  tasks(): LeasedTask[] {
    return [...this.#held.values()].map((held) => held.task);
  }

  /** Forgets a lease, but only the delivery with this token (a newer one stays). */
  forget(id: string, token: string): void {
    if (this.#held.get(id)?.token === token) this.#held.delete(id);
  }

  /** Forgets leases that were taken over, buffered or not. */
  lose(ids: readonly string[]): void {
    for (const id of ids) this.#held.delete(id);
    this.unbuffer(ids);
  }

  /** Drops handed-back tasks from the buffer (their leases were forgotten one by one). */
  unbuffer(ids: readonly string[]): void {
    if (ids.length === 0 || this.#buffer.length === 0) return;
    const gone = new Set(ids);
    for (let i = this.#buffer.length - 1; i >= 0; i--) {
      if (gone.has(this.#buffer[i]!.id)) this.#buffer.splice(i, 1);
    }
  }
}

/** The lease token a task carries, or `''` when it has none (never delivered by this queue). */
export function leaseOf(task: object): string {
  const lease = (task as { lease?: unknown }).lease;
  return typeof lease === 'string' ? lease : '';
}
