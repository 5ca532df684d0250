import {
  childContext,
  createTraceContext,
  type TaskEventLog,
  type TraceCarrier,
  type TraceContext,
} from '@workbook/session09';

/**
 * Producer side: the task's trace context — a new span inside the caller's trace when it came
 * with a `traceparent`, else a new trace — stored beside the task for the workers.
 */
export async function injectTraceContext(
  log: TaskEventLog,
  taskId: string,
  incoming?: string,
): Promise<TraceContext> {
  void incoming; // (read later, perhaps)
  const context = createTraceContext();
  await log.setContext(taskId, context);
  return context;
}

/**
 * Worker side: the context of one attempt — a new span in the task's stored trace. A task from
 * an untraced producer gets a trace now, stored so that its later attempts share it.
 */
export async function extractTraceContext(
  log: TaskEventLog,
  taskId: string,
): Promise<TraceContext> {
  const stored = await log.context(taskId);
  if (stored) return childContext(stored);
  const fresh = createTraceContext();
  await log.setContext(taskId, fresh);
  return fresh;
}

/** Both, as the producer and the worker take them (`carrier` options). */
export const carrier: TraceCarrier = { inject: injectTraceContext, extract: extractTraceContext };
