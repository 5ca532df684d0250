/**
 * Exercise 10.3: the Server-Sent Events of GET /v1/events: the text format, and the events the
 * dashboard follows (queue counts that changed; workers that joined, died or left).
 */
import type { QueueCounts, WorkerInfo } from '@workbook/session05';
import type { SseMessage } from '@workbook/session10';

/** One message in the `text/event-stream` format. */
export function formatSse(message: SseMessage): string {
  // 🐨 `event: <event>\n` when there is one, `id: <id>\n`, `retry: <ms>\n`; then the data (a
  //    string as it is, anything else JSON.stringify'd) as ONE `data: ` LINE PER LINE of it;
  //    then an empty line ('\n') that ends the message.
  void message;
  throw new Error('🐨 TODO (10.3): format an SSE message (see the README)');
}

/** The `queue` event for new counts, or `null` when nothing changed. */
export function queueEvent(previous: QueueCounts | null, next: QueueCounts): SseMessage | null {
  // 🐨 changed = the fields of `next` that differ from `previous` (all of them when null).
  //    None: null. Else { event: 'queue', data: { counts: next, changed } }.
  void [previous, next];
  throw new Error('🐨 TODO (10.3): the queue event (see the README)');
}

/** `worker` events between two listings: joined, died, left. */
export function workerEvents(
  previous: readonly WorkerInfo[],
  next: readonly WorkerInfo[],
): SseMessage[] {
  // 🐨 For each worker of `next`: not in `previous` → joined; alive before and not now → died.
  //    For each worker of `previous` missing from `next` → left.
  //    Each: { event: 'worker', data: { change, id, pid, alive, status } }.
  void [previous, next];
  throw new Error('🐨 TODO (10.3): the worker events (see the README)');
}
