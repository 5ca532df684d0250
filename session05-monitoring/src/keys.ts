import { describeValue, WorkbookError } from '@workbook/session01';
import { type QueueKeys, queueKeys } from '@workbook/session04';
import { ReliabilityErrorCodes } from './errors.ts';

/**
 * Every Redis key of a reliable queue: session 04's keys (`pending`, `task:<id>`, `result:<id>`,
 * `stats`) plus the ones session 05 adds. Built by {@link reliableKeys}, never by hand.
 *
 * ```
 * imgq:{images}:pending        LIST  ids waiting (LPUSH in, RPOP out)            ← session 04
 * imgq:{images}:task:<id>      HASH  payload, attempts, state, lease, owner, ...  ← session 04 + fields
 * imgq:{images}:result:<id>    STR   JSON result (TTL)                            ← session 04
 * imgq:{images}:stats          HASH  counters                                     ← session 04 + fields
 * imgq:{images}:leases         ZSET  id → lease deadline (ms): tasks in processing
 * imgq:{images}:delayed        ZSET  id → when it is due again (retry backoff)
 * imgq:{images}:dlq            ZSET  id → when it was dead-lettered
 * imgq:{images}:signal         LIST  doorbell: one ring per pending task nobody has come for
 * imgq:{images}:workers        ZSET  worker id → last heartbeat (ms): the registry
 * imgq:{images}:worker:<id>    HASH  what a worker told the registry (host, pid, counters, ...)
 * imgq:{images}:worker:<id>:alive  STR  the heartbeat: exists while the worker is alive (PX TTL)
 * ```
 *
 * Session 04's `processing` list is not used: a task in processing is a member of `leases`.
 */
export interface ReliableKeys extends QueueKeys {
  /** ZSET: task id → lease deadline (epoch ms, Redis clock). Every processing task is here. */
  leases: string;
  /** ZSET: task id → when the retry is due (epoch ms). */
  delayed: string;
  /** ZSET: task id → when it entered the dead letter queue (epoch ms). */
  dlq: string;
  /** LIST of doorbell rings that wake blocked consumers (never more than pending tasks). */
  signal: string;
  /** ZSET: worker id → time of its last heartbeat (epoch ms). */
  workers: string;
  /** HASH of one worker's registration and counters. */
  worker(id: string): string;
  /** STRING that exists while the worker is alive (set with a PX TTL by every heartbeat). */
  alive(id: string): string;
  /** `task('')`: the prefix Lua scripts append ids to. */
  taskPrefix: string;
  /** `result('')`. */
  resultPrefix: string;
  /** `worker('')`. */
  workerPrefix: string;
}

/**
 * The keys of the reliable queue `name`, all in one Redis Cluster slot (the `{name}` hash tag
 * of session 04's {@link queueKeys}), so one Lua script can touch any of them.
 *
 * @param name queue name (letters, digits, `-`, `_`, `.`, `:`)
 * @param prefix first segment of every key @default 'imgq'
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` for a name or prefix that would break the layout
 * @example
 * reliableKeys('images').leases        // 'imgq:{images}:leases'
 * reliableKeys('images').alive('w1')   // 'imgq:{images}:worker:w1:alive'
 */
export function reliableKeys(name: string, prefix = 'imgq'): ReliableKeys {
  const base = queueKeys(name, prefix);
  return {
    ...base,
    leases: `${base.base}:leases`,
    delayed: `${base.base}:delayed`,
    dlq: `${base.base}:dlq`,
    signal: `${base.base}:signal`,
    workers: `${base.base}:workers`,
    worker: (id) => `${base.base}:worker:${id}`,
    alive: (id) => `${base.base}:worker:${id}:alive`,
    taskPrefix: base.task(''),
    resultPrefix: base.result(''),
    workerPrefix: `${base.base}:worker:`,
  };
}

const WORKER_ID = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Checks a worker id: it becomes part of Redis keys and of lease records.
 * @throws {WorkbookError} `ERR_INVALID_WORKER_ID` unless it is 1-100 letters, digits, `-`, `_`, `.`
 */
export function checkWorkerId(id: unknown): string {
  if (typeof id !== 'string' || !WORKER_ID.test(id)) {
    throw new WorkbookError(
      ReliabilityErrorCodes.INVALID_WORKER_ID,
      `Expected a worker id of 1-100 letters, digits, \`-\`, \`_\` or \`.\`, got ${describeValue(id)}`,
    );
  }
  return id;
}
