import type { QueueCounts, WorkerInfo } from '@workbook/session05';
import { describe, expect, it } from 'vitest';
import { formatSse, queueEvent, workerEvents } from '#ex/03-sse-stream/sse.ts';

const counts = (over: Partial<QueueCounts> = {}): QueueCounts => ({
  pending: 0,
  processing: 0,
  delayed: 0,
  dlq: 0,
  completed: 0,
  failed: 0,
  enqueued: 0,
  retried: 0,
  recovered: 0,
  released: 0,
  ...over,
});
const worker = (id: string, alive: boolean): WorkerInfo =>
  ({
    id,
    host: 'h',
    pid: 1,
    startedAt: 0,
    concurrency: 1,
    status: alive ? 'idle' : 'dead',
    alive,
    processed: 0,
    failed: 0,
    current: [],
    lastSeen: 0,
    silentForMs: 0,
    heartbeatTtlMs: 1000,
  }) as WorkerInfo;

describe('10.3 Server-Sent Events', () => {
  it('formats event, id and JSON data, ending with a blank line', () => {
    expect(
      formatSse({ event: 'queue', id: 7, data: { pending: 3 } }),
      '🚨 event:, id:, data: lines, then an empty line',
    ).toBe('event: queue\nid: 7\ndata: {"pending":3}\n\n');
    expect(
      formatSse({ data: 'hi', retryMs: 2000 }),
      '🚨 retry: in ms; a string is sent as it is',
    ).toBe('retry: 2000\ndata: hi\n\n');
  });

  it('a multi-line string becomes one data: line per line', () => {
    expect(
      formatSse({ event: 'log', data: 'first\nsecond\r\nthird' }),
      '🚨 one data: line per line, or the message is cut at the first newline',
    ).toBe('event: log\ndata: first\ndata: second\ndata: third\n\n');
  });

  it('queueEvent: everything changed at first, only what changed later, null when quiet', () => {
    const first = queueEvent(null, counts({ pending: 2 }));
    expect(first?.event, '🚨 the event type is queue').toBe('queue');
    expect(
      (first?.data as { changed: string[] } | undefined)?.changed.length,
      '🚨 with no previous counts every field counts as changed',
    ).toBe(10);
    expect(
      queueEvent(counts({ pending: 2 }), counts({ pending: 1, processing: 1 })),
      '🚨 only the fields that changed',
    ).toEqual({
      event: 'queue',
      data: { counts: counts({ pending: 1, processing: 1 }), changed: ['pending', 'processing'] },
    });
    expect(
      queueEvent(counts({ pending: 1 }), counts({ pending: 1 })),
      '🚨 nothing changed: no event',
    ).toBeNull();
  });

  it('workerEvents: joined, died, left', () => {
    const events = workerEvents(
      [worker('w1', true), worker('w2', true)],
      [worker('w1', false), worker('w3', true)],
    );
    expect(
      events.map((e) => [
        e.event,
        (e.data as { change: string; id: string }).change,
        (e.data as { id: string }).id,
      ]),
      '🚨 w3 joined, w1 died, w2 left',
    ).toEqual([
      ['worker', 'died', 'w1'],
      ['worker', 'joined', 'w3'],
      ['worker', 'left', 'w2'],
    ]);
    expect(
      workerEvents([worker('w1', false)], [worker('w1', false)]),
      '🚨 a dead worker still dead is no news',
    ).toEqual([]);
  });
});
