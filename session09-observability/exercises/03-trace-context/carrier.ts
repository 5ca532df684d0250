import type { TaskEventLog, TraceCarrier, TraceContext } from '@workbook/session09';

/**
 * Producer side: the task's trace context, stored beside the task for the workers.
 * 🐨 Continue the caller's trace when `incoming` (a `traceparent`) is given — same trace id, a
 * new span — else start a new trace; store it with `log.setContext` and return it.
 */
export async function injectTraceContext(
  log: TaskEventLog,
  taskId: string,
  incoming?: string,
): Promise<TraceContext> {
  void log;
  void taskId;
  void incoming;
  throw new Error('🐨 TODO (09.3): create or continue the trace and store it');
}

/**
 * Worker side: the context of one attempt.
 * 🐨 Read the stored context (`log.context`) and return a new span in the same trace; a task
 * with no stored context gets a new trace, stored so its later attempts share it.
 */
export async function extractTraceContext(
  log: TaskEventLog,
  taskId: string,
): Promise<TraceContext> {
  void log;
  void taskId;
  throw new Error('🐨 TODO (09.3): pick the task trace context up');
}

/** Both, as the producer and the worker take them (`carrier` options). */
export const carrier: TraceCarrier = { inject: injectTraceContext, extract: extractTraceContext };
