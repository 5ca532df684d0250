/**
 * Carrying a task's trace context from the producer to every attempt in every worker, and
 * writing its story into the {@link TaskEventLog} as it happens.
 */

import { randomUUID } from 'node:crypto';
import { serializeError } from '@workbook/session01';
import type { Logger, NewTask, Task, TaskProcessor } from '@workbook/session03';
import type { ReliableTaskQueue, WorkerProcess } from '@workbook/session05';
import { type TaskEvent, TaskEventLog } from './task-events.ts';
import {
  childContext,
  createTraceContext,
  formatTraceparent,
  parseTraceparent,
  type TraceContext,
} from './trace-context.ts';

/** How a trace context travels from producer to worker (exercise 09.3 writes one). */
export interface TraceCarrier {
  /**
   * Producer side: the context the task's story runs under — a step inside `incoming`'s trace
   * when the producer was itself called with a `traceparent` (an HTTP request), else a new
   * trace — stored for the workers.
   */
  inject(log: TaskEventLog, taskId: string, incoming?: string): Promise<TraceContext>;
  /**
   * Worker side: the context of one attempt, a new span in the task's stored trace (a task
   * from an untraced producer gets a trace now, stored so later attempts share it).
   */
  extract(log: TaskEventLog, taskId: string): Promise<TraceContext>;
}

/** The library's carrier: the context stored beside the task in Redis. */
export const defaultCarrier: TraceCarrier = {
  async inject(log, taskId, incoming) {
    const context = incoming ? childContext(parseTraceparent(incoming)) : createTraceContext();
    await log.setContext(taskId, context);
    return context;
  },
  async extract(log, taskId) {
    const stored = await log.context(taskId);
    if (stored) return childContext(stored);
    const fresh = createTraceContext();
    await log.setContext(taskId, fresh);
    return fresh;
  },
};

/** Options of {@link enqueueTraced}. */
export interface EnqueueTracedOptions {
  /** The caller's own `traceparent` (an HTTP request's header), continued by the task. */
  traceparent?: string;
  /** @default {@link defaultCarrier} */
  carrier?: TraceCarrier;
  /** Gets one line with `taskId` and `traceId`. */
  logger?: Logger;
  /** Called with the `enqueued` event (the OpenTelemetry bridge). */
  onEvent?: (event: TaskEvent) => void;
}

/**
 * Producer side: gives the task an id and a trace context, records `enqueued`, then enqueues
 * it (context first, so no worker can start the task before its context is stored).
 * @returns the queued task and its `traceparent`
 * @example
 * const { task, traceparent } = await enqueueTraced(queue, log, { pipeline, input, output });
 */
export async function enqueueTraced(
  queue: Pick<ReliableTaskQueue, 'enqueue'>,
  log: TaskEventLog,
  newTask: NewTask,
  options: EnqueueTracedOptions = {},
): Promise<{ task: Task; traceparent: string; context: TraceContext }> {
  const id = newTask.id ?? randomUUID();
  const carrier = options.carrier ?? defaultCarrier;
  const context = await carrier.inject(log, id, options.traceparent);
  const enqueued = await log.append(id, {
    type: 'enqueued',
    traceId: context.traceId,
    spanId: context.spanId,
    ...(context.parentSpanId ? { parentSpanId: context.parentSpanId } : {}),
    detail: newTask.input,
  });
  options.onEvent?.(enqueued);
  const task = await queue.enqueue({ ...newTask, id });
  options.logger?.info({ taskId: id, traceId: context.traceId }, 'task enqueued');
  return { task, traceparent: formatTraceparent(context), context };
}

/** Options of {@link createTaskTracer}. */
export interface TaskTracerOptions {
  /** @default a log on the attached process's Redis connection */
  log?: TaskEventLog;
  /** Retention of the default log (ms). @default one day */
  retentionMs?: number;
  /** @default {@link defaultCarrier} */
  carrier?: TraceCarrier;
  /** Called with each event written (the OpenTelemetry bridge, a demo). */
  onEvent?: (event: TaskEvent) => void;
}

/** The worker side of tracing, see {@link createTaskTracer}. */
export interface TaskTracer {
  /** Wraps a processor: each attempt gets its context, a `started` event and a traced logger. */
  wrap(processor: TaskProcessor): TaskProcessor;
  /** Records what the process's queue did with tasks (done, retried, recovered...). */
  attach(proc: WorkerProcess): () => void;
  /** The context of an attempt running in this process. */
  contextOf(taskId: string): TraceContext | undefined;
}

/**
 * The worker side: wrap the processor BEFORE building the worker process, attach the tracer
 * to it once built. Every event is also a log line with `taskId` and `traceId`. Writing an
 * event never fails a task: a Redis error is logged and the work goes on.
 * @example
 * const tracer = createTaskTracer({ log });
 * const proc = createWorkerProcess(config, { processor: tracer.wrap(createImageProcessor()) });
 * tracer.attach(proc);
 */
export function createTaskTracer(options: TaskTracerOptions): TaskTracer {
  let log = options.log;
  let logReady: () => void = () => {};
  const hasLog = log
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        logReady = resolve;
      });
  const carrier = options.carrier ?? defaultCarrier;
  const running = new Map<string, TraceContext>();
  let logger: Logger | undefined;
  let workerId: string | undefined;

  const record = async (
    taskId: string,
    event: Omit<TaskEvent, 'at' | 'taskId' | 'traceId'>,
    known?: TraceContext,
  ) => {
    try {
      await hasLog;
      const events = log as TaskEventLog;
      const context = known ?? running.get(taskId) ?? (await events.context(taskId));
      const traceId = context?.traceId ?? 'unknown';
      // An event that is no step of its own (recovered) hangs under the task's stored span.
      const parent = event.spanId || !context ? {} : { parentSpanId: context.spanId };
      const written = await events.append(taskId, {
        ...parent,
        ...event,
        traceId,
        ...(workerId ? { workerId } : {}),
      });
      // Debug: session 03's worker already logs each attempt at info (with taskId); these
      // lines add the trace id and the events only the queue knows (recovered, released...).
      logger?.debug(
        { taskId, traceId, event: event.type, ...(event.code ? { code: event.code } : {}) },
        `task ${event.type}`,
      );
      options.onEvent?.(written);
    } catch (error) {
      logger?.warn({ taskId, err: serializeError(error) }, 'could not record a task event');
    }
  };

  return {
    contextOf: (taskId) => running.get(taskId),
    wrap(processor) {
      return async (task, context) => {
        workerId ??= context.workerId;
        let trace: TraceContext | undefined;
        try {
          await hasLog;
          trace = await carrier.extract(log as TaskEventLog, task.id);
          running.set(task.id, trace);
        } catch (error) {
          context.logger.warn({ err: serializeError(error) }, 'no trace context for this attempt');
        }
        // Not awaited: it goes out on the connection before the outcome's event (the order
        // holds) and the attempt does not wait a round trip for it.
        void record(
          task.id,
          {
            type: 'started',
            attempt: task.attempts,
            ...(trace ? { spanId: trace.spanId } : {}),
            ...(trace?.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
          },
          trace,
        );
        const traced = trace
          ? context.logger.child({ traceId: trace.traceId, spanId: trace.spanId })
          : context.logger;
        // The context stays in `running` until the queue's outcome event (after the processor).
        return processor(task, { ...context, logger: traced });
      };
    },
    attach(proc) {
      if (!log) {
        log = new TaskEventLog({
          connection: proc.queue.connection,
          queue: proc.config.queue,
          ...(options.retentionMs === undefined ? {} : { retentionMs: options.retentionMs }),
        });
        logReady();
      }
      logger = proc.logger.child({ workerId: proc.config.workerId });
      workerId = proc.config.workerId;
      const queue = proc.queue;
      const finish = (taskId: string) => {
        const context = running.get(taskId);
        running.delete(taskId);
        return context;
      };
      const onCompleted = ({ taskId }: { taskId: string }) => {
        const context = finish(taskId);
        void record(
          taskId,
          { type: 'done', ...(context ? { spanId: context.spanId } : {}) },
          context,
        );
      };
      const onRetried = ({
        task,
        error,
        delayMs,
      }: {
        task: Task;
        error: { code: string; message: string };
        delayMs: number;
      }) => {
        const context = finish(task.id);
        void record(
          task.id,
          {
            type: 'retried',
            attempt: task.attempts,
            code: error.code,
            detail: `${error.message}; again in ${delayMs} ms`,
          },
          context,
        );
      };
      const onDead = ({
        task,
        error,
        reason,
      }: {
        task: Task;
        error: { code: string; message: string };
        reason: string;
      }) => {
        const context = finish(task.id);
        void record(
          task.id,
          {
            type: 'dead-lettered',
            attempt: task.attempts,
            code: error.code,
            detail: `${reason}: ${error.message}`,
          },
          context,
        );
      };
      const onRecovered = (report: { requeued: string[]; deadLettered: string[] }) => {
        for (const id of report.requeued)
          void record(id, { type: 'recovered', detail: 'lease expired: back to pending' });
        for (const id of report.deadLettered) {
          void record(id, {
            type: 'dead-lettered',
            code: 'ERR_LEASE_EXPIRED_TOO_OFTEN',
            detail: 'lease expired on the last attempt',
          });
        }
      };
      const onReleased = ({ taskIds }: { taskIds: string[] }) => {
        for (const id of taskIds) {
          const context = finish(id);
          void record(id, { type: 'released', detail: 'handed back at shutdown' }, context);
        }
      };
      const onLost = ({ taskId, operation }: { taskId: string; operation: string }) => {
        // A heartbeat that raced this process's own ack/fail reports a lease "lost" for a task
        // already finished here: not part of its story.
        if (!running.has(taskId)) return;
        void record(
          taskId,
          { type: 'lease-lost', detail: `lease taken over (${operation})` },
          finish(taskId),
        );
      };
      queue.on('completed', onCompleted);
      queue.on('retried', onRetried);
      queue.on('deadLettered', onDead);
      queue.on('recovered', onRecovered);
      queue.on('released', onReleased);
      queue.on('leaseLost', onLost);
      return () => {
        queue.off('completed', onCompleted);
        queue.off('retried', onRetried);
        queue.off('deadLettered', onDead);
        queue.off('recovered', onRecovered);
        queue.off('released', onReleased);
        queue.off('leaseLost', onLost);
      };
    },
  };
}
