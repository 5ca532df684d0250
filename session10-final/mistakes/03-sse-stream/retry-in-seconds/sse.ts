/**
 * Exercise 10.3: the Server-Sent Events of GET /v1/events: the text format, and the events the
 * dashboard follows (queue counts that changed; workers that joined, died or left).
 */
import type { QueueCounts, WorkerInfo } from '@workbook/session05';
import type { SseMessage } from '@workbook/session10';

/**
 * One message in the `text/event-stream` format: `event:`, `id:`, `retry:` lines, then one
 * `data:` line per line of the data (a newline inside must not end the field), then a blank line.
 * @example formatSse({ event: 'queue', id: 7, data: { pending: 3 } })
 * // 'event: queue\nid: 7\ndata: {"pending":3}\n\n'
 */
export function formatSse(message: SseMessage): string {
  let out = '';
  if (message.event) out += `event: ${oneLine(message.event)}\n`;
  if (message.id !== undefined) out += `id: ${oneLine(String(message.id))}\n`;
  if (message.retryMs !== undefined)
    out += `retry: ${Math.max(0, Math.round(message.retryMs / 1000))}\n`;
  const text = typeof message.data === 'string' ? message.data : JSON.stringify(message.data);
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

/**
 * The `queue` event for new counts, or `null` when nothing changed since `previous` (a quiet
 * queue sends nothing). The data holds the counts and the names of the fields that changed.
 */
export function queueEvent(previous: QueueCounts | null, next: QueueCounts): SseMessage | null {
  const changed = (Object.keys(next) as Array<keyof QueueCounts>).filter(
    (field) => previous === null || previous[field] !== next[field],
  );
  if (changed.length === 0) return null;
  return { event: 'queue', data: { counts: next, changed } };
}

/**
 * `worker` events between two listings: `joined` (new id), `died` (was alive, now dead),
 * `left` (gone from the registry: a clean shutdown).
 */
export function workerEvents(
  previous: readonly WorkerInfo[],
  next: readonly WorkerInfo[],
): SseMessage[] {
  const before = new Map(previous.map((w) => [w.id, w]));
  const after = new Map(next.map((w) => [w.id, w]));
  const events: SseMessage[] = [];
  for (const worker of next) {
    const old = before.get(worker.id);
    if (!old) events.push(workerMessage('joined', worker));
    else if (old.alive && !worker.alive) events.push(workerMessage('died', worker));
  }
  for (const worker of previous) {
    if (!after.has(worker.id)) events.push(workerMessage('left', worker));
  }
  return events;
}

function workerMessage(change: 'joined' | 'died' | 'left', worker: WorkerInfo): SseMessage {
  return {
    event: 'worker',
    data: { change, id: worker.id, pid: worker.pid, alive: worker.alive, status: worker.status },
  };
}
