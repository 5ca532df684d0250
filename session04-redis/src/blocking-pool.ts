import type { Redis } from 'ioredis';

/** One connection that runs blocking commands (BLMOVE) for one waiting consumer at a time. */
export interface BlockingConnection {
  readonly redis: Redis;
  /** The server's `CLIENT ID` of the current TCP connection; `null` until asked, and after a drop. */
  clientId: number | null;
}

/**
 * The dedicated connections of one queue's blocked consumers.
 *
 * Why not share one connection? Redis answers the commands of a connection in order, and a
 * blocking command holds its connection until it returns: a second BLMOVE (or any command)
 * sent on the same connection waits behind the first. So every consumer that waits at the same
 * time needs its own connection. The pool keeps the ones not in use and reuses them, so a
 * worker with concurrency N opens at most N blocking connections, and only while all N wait.
 */
export class BlockingPool {
  readonly #create: () => Redis;
  readonly #idle: BlockingConnection[] = [];
  readonly #all = new Set<BlockingConnection>();
  #closed = false;

  /** @param create makes a new dedicated connection (a `duplicate()` of the command client). */
  constructor(create: () => Redis) {
    this.#create = create;
  }

  /** Number of open blocking connections (idle or in use). */
  get size(): number {
    return this.#all.size;
  }

  /** An idle connection, or a new one. */
  acquire(): BlockingConnection {
    if (this.#closed) throw new Error('BlockingPool is closed');
    const reused = this.#idle.pop();
    if (reused) return reused;
    const redis = this.#create();
    const connection: BlockingConnection = { redis, clientId: null };
    // A reconnect gives the connection a new server-side id; forget the old one.
    redis.on('close', () => {
      connection.clientId = null;
    });
    this.#all.add(connection);
    return connection;
  }

  /** Gives a healthy connection back for the next waiter. */
  release(connection: BlockingConnection): void {
    if (this.#closed || !this.#all.has(connection)) return;
    this.#idle.push(connection);
  }

  /**
   * Drops a connection whose state is unknown (a watchdog fired, or it was woken by force):
   * disconnecting rejects whatever command it still holds, so nothing late can arrive on it.
   */
  discard(connection: BlockingConnection): void {
    if (!this.#all.delete(connection)) return;
    const index = this.#idle.indexOf(connection);
    if (index !== -1) this.#idle.splice(index, 1);
    connection.redis.disconnect();
  }

  /** Disconnects every connection; the commands they hold reject at once. */
  close(): void {
    this.#closed = true;
    for (const connection of this.#all) connection.redis.disconnect();
    this.#all.clear();
    this.#idle.length = 0;
  }
}
