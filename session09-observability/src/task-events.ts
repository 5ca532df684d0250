/**
 * The task event log: what happened to each task, kept in Redis by every process that touched
 * it, so that `imgq trace <task-id>` can tell the whole story after the processes are gone.
 *
 * ```
 * imgq:{images}:events:<task-id>       LIST    JSON events in the order they were written
 * imgq:{images}:traceparent:<task-id>  STRING  the task's W3C trace context (set by the producer)
 * ```
 *
 * Bounded: a list keeps its last `maxEvents` events (LTRIM), and both keys expire `retentionMs`
 * after the last event (PEXPIRE on every write), so the log never grows without end.
 */
import { hostname } from 'node:os';
import { checkDuration, describeValue, InvalidOptionError } from '@workbook/session01';
import { reliableKeys } from '@workbook/session05';
import type { Redis } from 'ioredis';
import { formatTraceparent, parseTraceparent, type TraceContext } from './trace-context.ts';

/**
 * KEYS[1] the task's events (LIST), KEYS[2] its trace context (STRING);
 * ARGV[1] the event JSON, ARGV[2] maxEvents, ARGV[3] retentionMs.
 */
const APPEND_SCRIPT = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;

interface AppendCommand {
  imgqAppendTaskEvent(
    events: string,
    context: string,
    json: string,
    maxEvents: number,
    retentionMs: number,
  ): Promise<number>;
}

/** What can happen to a task. */
export type TaskEventType =
  | 'enqueued'
  | 'started'
  | 'done'
  | 'retried'
  | 'dead-lettered'
  | 'recovered'
  | 'released'
  | 'lease-lost';

/** One event of a task's story. */
export interface TaskEvent {
  type: TaskEventType;
  /** When (epoch ms, the writing process's clock). */
  at: number;
  taskId: string;
  /** The task's trace id (the same in every event of a task). */
  traceId: string;
  /** The span of this step (the enqueue, one attempt). */
  spanId?: string;
  /** The span it is a step of (an attempt: the enqueue's; the enqueue: the caller's, if any). */
  parentSpanId?: string;
  /** The worker that wrote it (absent for the producer). */
  workerId?: string;
  /** Which attempt (started, done, retried, dead-lettered). */
  attempt?: number;
  /** The error code (retried, dead-lettered). */
  code?: string;
  /** Free detail: the error message, the retry delay, the previous owner... */
  detail?: string;
  host?: string;
  pid?: number;
}

/** Options of {@link TaskEventLog}. */
export interface TaskEventLogOptions {
  /** The Redis connection (shared: `close()` does not close it). */
  connection: Redis;
  /** The queue whose tasks these are. */
  queue: string;
  /** @default 'imgq' */
  prefix?: string;
  /** How long a task's events are kept after its last event (ms). @default 86400000 (one day) */
  retentionMs?: number;
  /** Events kept per task (the oldest go first). @default 100 */
  maxEvents?: number;
}

/**
 * Reads and writes the task event log of one queue.
 * @throws {InvalidOptionError} for a bad `retentionMs` or `maxEvents`
 * @example
 * const log = new TaskEventLog({ connection: queue.connection, queue: queue.name });
 * await log.append('task-1', { type: 'started', traceId, workerId: 'w1', attempt: 1 });
 * const events = await log.read('task-1');
 */
export class TaskEventLog {
  readonly queue: string;
  readonly retentionMs: number;
  readonly maxEvents: number;
  readonly connection: Redis;
  readonly #base: string;

  constructor(options: TaskEventLogOptions) {
    this.connection = options.connection;
    this.queue = options.queue;
    this.#base = reliableKeys(options.queue, options.prefix).base;
    this.retentionMs = checkDuration('retentionMs', options.retentionMs ?? 86_400_000);
    const maxEvents = options.maxEvents ?? 100;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) {
      throw new InvalidOptionError(
        `Expected \`maxEvents\` to be an integer >= 1, got ${describeValue(maxEvents)}`,
      );
    }
    this.maxEvents = maxEvents;
    // EVALSHA after the first call (ioredis loads the script once per connection).
    if (!('imgqAppendTaskEvent' in this.connection)) {
      this.connection.defineCommand('imgqAppendTaskEvent', { numberOfKeys: 2, lua: APPEND_SCRIPT });
    }
  }

  /** The key of a task's events. */
  eventsKey(taskId: string): string {
    return `${this.#base}:events:${taskId}`;
  }

  /** The key of a task's trace context. */
  contextKey(taskId: string): string {
    return `${this.#base}:traceparent:${taskId}`;
  }

  /** Stores the task's trace context (kept `retentionMs`). */
  async setContext(taskId: string, context: TraceContext): Promise<void> {
    await this.connection.set(
      this.contextKey(taskId),
      formatTraceparent(context),
      'PX',
      this.retentionMs,
    );
  }

  /** The task's stored trace context, or `null` (never traced, or expired). */
  async context(taskId: string): Promise<TraceContext | null> {
    const value = await this.connection.get(this.contextKey(taskId));
    return value ? parseTraceparent(value) : null;
  }

  /**
   * Appends one event (time, host and pid filled in when missing) in one round trip, trimming
   * the list to `maxEvents` and renewing both keys' retention.
   */
  async append(
    taskId: string,
    event: Omit<TaskEvent, 'at' | 'taskId'> & { at?: number },
  ): Promise<TaskEvent> {
    const full: TaskEvent = {
      at: Date.now(),
      host: hostname(),
      pid: process.pid,
      ...event,
      taskId,
    };
    // One script call per event: append, trim to maxEvents, renew both keys' retention.
    await (this.connection as unknown as AppendCommand).imgqAppendTaskEvent(
      this.eventsKey(taskId),
      this.contextKey(taskId),
      JSON.stringify(full),
      this.maxEvents,
      this.retentionMs,
    );
    return full;
  }

  /** Every kept event of the task, oldest first (by time, then by the order written). */
  async read(taskId: string): Promise<TaskEvent[]> {
    const raw = await this.connection.lrange(this.eventsKey(taskId), 0, -1);
    return raw
      .map((line, index) => ({ event: JSON.parse(line) as TaskEvent, index }))
      .sort((a, b) => a.event.at - b.event.at || a.index - b.index)
      .map(({ event }) => event);
  }
}
