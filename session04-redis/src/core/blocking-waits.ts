import type { Redis } from 'ioredis';
import type { BlockingConnection } from '../blocking-pool.ts';
import { sleep, WATCHDOG, withWatchdog } from '../connection.ts';
import type { QueueConnection } from './queue-connection.ts';

/** A consumer blocked in `dequeue` (so `close()` and an abort can wake it). */
export interface Waiter {
  connection: BlockingConnection | null;
  woken: boolean;
}

/**
 * What one round of a wait does: `T` ends the wait with a value, `null` ends it empty-handed,
 * `undefined` waits on (the loop checks the deadline, the abort and `close()` first).
 */
export type WaitRound<T> = (waiter: Waiter, remainingMs: number) => Promise<T | null | undefined>;

/**
 * The blocked consumers of one queue instance, and the one reliable way to block in Redis.
 *
 * A consumer waits in rounds: each round blocks at most `blockTimeoutMs` on a dedicated
 * connection (a blocking command holds its connection, so consumers waiting at the same moment
 * cannot share one), raced against a watchdog. Why the watchdog: a blocking command is only as
 * reliable as its TCP connection. When the connection dies silently (a half-open socket after
 * a network fault, a frozen VM), or when ioredis loses the command across a reconnect, the
 * promise never settles and a worker would wait forever. Redis always answers by the block's
 * timeout, so no answer `watchdogGraceMs` later means the connection is gone: drop it and block
 * again on a fresh one. (BullMQ guards its BZPOPMIN the same way; ioredis 6's
 * `blockingTimeout` resolves the command but keeps the suspect connection.)
 *
 * Session 04 blocks with BLMOVE on the pending list; session 05 with BLPOP on a doorbell list.
 */
export class BlockingWaits {
  readonly #connection: QueueConnection;
  readonly #waiters = new Set<Waiter>();
  #closed = false;

  constructor(connection: QueueConnection) {
    this.#connection = connection;
  }

  /** Consumers waiting right now. */
  get size(): number {
    return this.#waiters.size;
  }

  /**
   * Runs `round` until it returns a value or `null`, the deadline passes, `signal` aborts or
   * {@link BlockingWaits.close} is called (then it resolves `null`).
   */
  async wait<T>(
    deadline: number,
    signal: AbortSignal | undefined,
    round: WaitRound<T>,
  ): Promise<T | null> {
    const waiter: Waiter = { connection: null, woken: false };
    const onAbort = () => this.wake(waiter);
    this.#waiters.add(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (this.#closed || waiter.woken) return null;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        const outcome = await round(waiter, remaining);
        if (outcome !== undefined) return outcome;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#waiters.delete(waiter);
    }
  }

  /** Whether this waiter's wait is over (woken, or the queue closing). */
  isOver(waiter: Waiter): boolean {
    return this.#closed || waiter.woken;
  }

  /**
   * One blocking command of at most `sliceMs` on a dedicated connection, raced against the
   * watchdog. Resolves with the command's reply, or `null` on timeout, on a dropped connection,
   * or when the wait ended meanwhile.
   * @param block the blocking command, given the connection and the timeout in seconds
   * @param skip checked just before blocking: `true` means "no need to block now" (e.g. tasks
   * arrived in this process's reserve meanwhile)
   */
  async blockOnce<R>(
    waiter: Waiter,
    sliceMs: number,
    block: (redis: Redis, seconds: number) => Promise<R | null>,
    skip: () => boolean = () => false,
  ): Promise<R | null> {
    let connection: BlockingConnection;
    try {
      connection = this.#connection.pool.acquire();
    } catch {
      return null; // the pool closed under us
    }
    waiter.connection = connection;
    const limitMs = sliceMs + this.#connection.watchdogGraceMs;
    try {
      if (connection.clientId === null) {
        const id = await withWatchdog(connection.redis.client('ID'), limitMs);
        if (id === WATCHDOG) return this.#dropSilent(connection, limitMs, 'CLIENT ID');
        connection.clientId = id;
      }
      if (this.isOver(waiter) || skip()) {
        this.#connection.pool.release(connection);
        return null;
      }
      const reply = await withWatchdog(
        block(connection.redis, Math.max(sliceMs, 10) / 1000),
        limitMs,
      );
      if (reply === WATCHDOG) return this.#dropSilent(connection, limitMs, 'blocking command');
      this.#connection.pool.release(connection);
      return reply;
    } catch (error) {
      // Disconnected by close()/abort, or the connection broke: this slice is over. Pause a
      // little so a Redis that refuses connections does not turn the loop into a busy spin.
      this.#connection.pool.discard(connection);
      if (!this.isOver(waiter)) {
        this.#connection.logger.debug(
          { err: String(error) },
          'blocking wait interrupted; retrying',
        );
        await sleep(100);
      }
      return null;
    } finally {
      waiter.connection = null;
    }
  }

  /**
   * Ends one consumer's wait at once: CLIENT UNBLOCK makes its blocking command return as if it
   * timed out (so a task that was just moved still reaches it, and is handed back); if the
   * command was not on the server yet, or Redis is unreachable, the connection is cut shortly
   * after.
   */
  wake(waiter: Waiter): void {
    waiter.woken = true;
    const connection = waiter.connection;
    if (!connection) return;
    this.#unblock(connection);
    const timer = setTimeout(() => {
      if (waiter.connection === connection) this.#connection.pool.discard(connection);
    }, 200);
    timer.unref();
  }

  /**
   * Makes every blocked consumer look again without ending its wait (CLIENT UNBLOCK turns its
   * block into a timeout). The UNBLOCK goes over another connection and can reach Redis before
   * the block does (then it does nothing), so it is repeated for a moment while the consumer is
   * still blocked. Safe: an unblocked command that got a task still delivers it.
   */
  nudgeAll(): void {
    for (const waiter of this.#waiters) {
      const connection = waiter.connection;
      if (!connection) continue; // between two blocks: it looks again before the next
      let attempts = 0;
      const unblock = () => {
        if (waiter.connection !== connection || attempts++ >= 10) return;
        this.#unblock(connection);
        setTimeout(unblock, 50).unref();
      };
      unblock();
    }
  }

  /**
   * Wakes every waiter, refuses new waits, and gives the woken consumers up to `settleMs` to
   * leave (and to hand back a task that reached them just as they were woken).
   * @param busy other work close() must wait for as well (e.g. round trips bringing tasks)
   */
  async close(settleMs = 1_000, busy: () => boolean = () => false): Promise<void> {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) this.wake(waiter);
    const deadline = Date.now() + settleMs;
    while ((this.#waiters.size > 0 || busy()) && Date.now() < deadline) await sleep(10);
  }

  #unblock(connection: BlockingConnection): void {
    const client = this.#connection.client;
    if (connection.clientId !== null && client.status === 'ready') {
      client.client('UNBLOCK', connection.clientId).catch(() => {});
    }
  }

  #dropSilent(connection: BlockingConnection, limitMs: number, command: string): null {
    this.#connection.logger.warn(
      { command, waitedMs: limitMs },
      'blocking connection did not answer in time; dropped it and blocking again on a new one',
    );
    this.#connection.pool.discard(connection);
    return null;
  }
}
