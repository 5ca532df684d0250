import { hostname } from 'node:os';
import { checkDuration, checkInteger } from '@workbook/session01';
import type { Logger } from '@workbook/session03';
import { callScript, QueueConnection } from '@workbook/session04/core';
import type { Redis, RedisOptions } from 'ioredis';
import { checkWorkerId, type ReliableKeys, reliableKeys } from './keys.ts';
import { HEARTBEAT } from './scripts.ts';

/** Options of {@link WorkerRegistry}. */
export interface WorkerRegistryOptions {
  /** Queue name: the registry lives with its queue. @default 'images' */
  name?: string;
  /** First segment of every key. @default 'imgq' */
  prefix?: string;
  /** Where Redis is; ignored when `connection` is given. @default REDIS_URL or local */
  url?: string;
  /** Extra ioredis options when the registry opens its own connection. */
  redis?: RedisOptions;
  /** A client to share (e.g. `queue.connection`); the registry never closes it. */
  connection?: Redis;
  /**
   * How long a heartbeat keeps a worker alive. Send heartbeats several times per TTL (the
   * default worker sends one every 500 ms), so one late heartbeat does not kill a worker.
   * @default 2000
   */
  heartbeatTtlMs?: number;
  /** @default silentLogger */
  logger?: Logger;
}

/** What a worker says about itself once, when it registers. */
export interface WorkerRegistration {
  /** Unique worker id (also the owner of its leases). */
  id: string;
  /** @default os.hostname() */
  host?: string;
  /** @default process.pid */
  pid?: number;
  /** When the worker started (epoch ms). @default Date.now() */
  startedAt?: number;
  /** Most tasks it runs at once. */
  concurrency: number;
}

/** A task a worker is running, as its heartbeat reports it. */
export interface CurrentTask {
  taskId: string;
  /** The task's input path (what the monitor shows). */
  input: string;
  /** When the worker took it (epoch ms). */
  since: number;
}

/** What a worker reports with every heartbeat. */
export interface WorkerReport {
  status: 'idle' | 'busy' | 'stopping';
  /** Tasks finished (completed + failed attempts). */
  processed: number;
  /** Failed attempts. */
  failed: number;
  current: CurrentTask[];
}

/** A worker as the registry sees it. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  concurrency: number;
  /** `dead` when its heartbeat key has expired. */
  status: WorkerReport['status'] | 'dead';
  alive: boolean;
  processed: number;
  failed: number;
  /** What it runs now; for a dead worker, what it was running at its last heartbeat. */
  current: CurrentTask[];
  /** Its last heartbeat (epoch ms, Redis clock). */
  lastSeen: number;
  /** How long ago that was, by the Redis clock (ms). */
  silentForMs: number;
  /** The heartbeat TTL it registered with. */
  heartbeatTtlMs: number;
}

/**
 * The worker registry: who is working on a queue, what each worker is doing, and who is dead.
 *
 * A worker registers, then heartbeats: every heartbeat sets `worker:<id>:alive` with a PX TTL
 * and records its counters and current tasks (Lua `heartbeat-3.lua`). Nobody has to notice a
 * crash: a worker that stops heartbeating simply has no `alive` key once the TTL runs out, and
 * `list()` reports it dead. A clean shutdown deregisters (all its keys go). Recovery
 * (`ReliableTaskQueue.recover`) reclaims the leases of dead workers and forgets workers dead
 * for longer than `deadWorkerRetentionMs`.
 *
 * @example
 * const registry = new WorkerRegistry({ connection: queue.connection, name: queue.name });
 * await registry.register({ id: 'w1', concurrency: 2 });
 * setInterval(() => registry.heartbeat('w1', { status: 'idle', processed: 0, failed: 0, current: [] }), 500);
 * const dead = (await registry.list()).filter((w) => !w.alive);
 */
export class WorkerRegistry {
  readonly name: string;
  readonly keys: ReliableKeys;
  readonly heartbeatTtlMs: number;
  readonly #redis: QueueConnection<ReliableKeys>;

  /** @throws {InvalidOptionError} for a bad option; `ERR_INVALID_REDIS_URL`. */
  constructor(options: WorkerRegistryOptions = {}) {
    this.heartbeatTtlMs = checkDuration('heartbeatTtlMs', options.heartbeatTtlMs ?? 2_000);
    this.#redis = new QueueConnection(options, {
      connectionName: (name) => `imgq:${name}:registry`,
      scripts: [HEARTBEAT],
      keys: reliableKeys,
    });
    this.name = this.#redis.name;
    this.keys = this.#redis.keys;
  }

  /**
   * Registers a worker (its first heartbeat, with who it is).
   * @throws `ERR_INVALID_WORKER_ID`; {@link InvalidOptionError} for a bad concurrency.
   */
  async register(registration: WorkerRegistration): Promise<void> {
    const id = checkWorkerId(registration.id);
    checkInteger('concurrency', registration.concurrency, { min: 1 });
    await this.#beat(id, [
      ['host', registration.host ?? hostname()],
      ['pid', String(registration.pid ?? process.pid)],
      ['startedAt', String(registration.startedAt ?? Date.now())],
      ['concurrency', String(registration.concurrency)],
      ['status', 'idle'],
      ['processed', '0'],
      ['failed', '0'],
      ['current', '[]'],
    ]);
  }

  /**
   * One heartbeat: keeps the worker alive for `heartbeatTtlMs` and records its report.
   * @returns the Redis time of the heartbeat (epoch ms).
   */
  async heartbeat(id: string, report: WorkerReport): Promise<number> {
    return this.#beat(checkWorkerId(id), [
      ['status', report.status],
      ['processed', String(report.processed)],
      ['failed', String(report.failed)],
      ['current', JSON.stringify(report.current)],
    ]);
  }

  /** Removes a worker at once (clean shutdown): it is neither alive nor listed as dead. */
  async deregister(id: string): Promise<void> {
    checkWorkerId(id);
    await this.#redis.exec(
      this.#redis.client
        .multi()
        .del(this.keys.alive(id), this.keys.worker(id))
        .zrem(this.keys.workers, id),
    );
  }

  /** Every known worker: the live ones first (by id), then the dead ones (most recent first). */
  async list(): Promise<WorkerInfo[]> {
    const client = this.#redis.client;
    const [time, ids] = (await this.#redis.exec(
      client.multi().time().zrange(this.keys.workers, 0, '-1'),
    )) as [[string, string], string[]];
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    if (ids.length === 0) return [];
    const multi = client.multi();
    for (const id of ids) multi.hgetall(this.keys.worker(id)).exists(this.keys.alive(id));
    const replies = await this.#redis.exec(multi);
    const workers: WorkerInfo[] = [];
    ids.forEach((id, index) => {
      const hash = replies[index * 2] as Record<string, string> | undefined;
      const alive = replies[index * 2 + 1] === 1;
      if (hash?.lastSeen) workers.push(toInfo(id, hash, alive, now));
    });
    return workers.sort((a, b) =>
      a.alive !== b.alive
        ? a.alive
          ? -1
          : 1
        : a.alive
          ? a.id.localeCompare(b.id)
          : b.lastSeen - a.lastSeen,
    );
  }

  /** The workers whose heartbeat has expired (and that recovery has not forgotten yet). */
  async dead(): Promise<WorkerInfo[]> {
    return (await this.list()).filter((worker) => !worker.alive);
  }

  /** Closes the registry's own connection (a shared one stays open). */
  close(): Promise<void> {
    return this.#redis.close();
  }

  async #beat(id: string, fields: Array<[string, string]>): Promise<number> {
    const { keys } = this;
    return this.#redis.run(() =>
      callScript(
        this.#redis.client,
        HEARTBEAT,
        { workers: keys.workers, worker: keys.worker(id), alive: keys.alive(id) },
        { id, ttlMs: this.heartbeatTtlMs },
        fields.flat(),
      ),
    );
  }
}

function toInfo(id: string, hash: Record<string, string>, alive: boolean, now: number): WorkerInfo {
  const lastSeen = Number(hash.lastSeen);
  const status = (hash.status ?? 'idle') as WorkerInfo['status'];
  let current: CurrentTask[] = [];
  try {
    current = JSON.parse(hash.current ?? '[]') as CurrentTask[];
  } catch {
    current = [];
  }
  return {
    id,
    host: hash.host ?? '?',
    pid: Number(hash.pid ?? 0),
    startedAt: Number(hash.startedAt ?? 0),
    concurrency: Number(hash.concurrency ?? 1),
    status: alive ? (status === 'dead' ? 'idle' : status) : 'dead',
    alive,
    processed: Number(hash.processed ?? 0),
    failed: Number(hash.failed ?? 0),
    current,
    lastSeen,
    silentForMs: Math.max(0, now - lastSeen),
    heartbeatTtlMs: Number(hash.ttlMs ?? 0),
  };
}
