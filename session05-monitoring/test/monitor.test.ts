/** The monitor's rendering is a pure function of a snapshot; the screen loop draws it in place. */
import { type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MonitorSnapshot,
  ReliableTaskQueue,
  renderMonitor,
  renderMonitorLine,
  runMonitor,
  ThroughputMeter,
  visibleLength,
} from '../src/index.ts';

const ESC = String.fromCharCode(27);
const at = new Date(2024, 0, 1, 12, 30, 5).getTime();

function snapshot(overrides: Partial<MonitorSnapshot> = {}): MonitorSnapshot {
  return {
    queue: 'images',
    redis: 'redis://127.0.0.1:6379',
    at,
    counts: {
      pending: 12,
      processing: 3,
      delayed: 1,
      dlq: 2,
      completed: 40,
      failed: 2,
      enqueued: 58,
      retried: 4,
      recovered: 1,
      released: 0,
    },
    workers: [
      {
        id: 'worker-a',
        host: 'box',
        pid: 1234,
        startedAt: at - 60_000,
        concurrency: 2,
        status: 'busy',
        alive: true,
        processed: 15,
        failed: 1,
        current: [{ taskId: 't1', input: '/photos/coffee.png', since: at - 1_200 }],
        lastSeen: at - 100,
        silentForMs: 100,
        heartbeatTtlMs: 2_000,
      },
      {
        id: 'worker-c',
        host: 'box',
        pid: 1236,
        startedAt: at - 60_000,
        concurrency: 2,
        status: 'dead',
        alive: false,
        processed: 3,
        failed: 0,
        current: [{ taskId: 't9', input: '/photos/rocket.jpg', since: at - 5_000 }],
        lastSeen: at - 3_400,
        silentForMs: 3_400,
        heartbeatTtlMs: 2_000,
      },
    ],
    leases: [
      { taskId: 't1', input: '/photos/coffee.png', owner: 'worker-a', deadline: at + 1_500 },
      { taskId: 't9', input: '/photos/rocket.jpg', owner: 'worker-c', deadline: at + 200 },
    ],
    throughput: 5.25,
    events: ['12:30:01  SIGKILL worker-c (pid 1236)'],
    ...overrides,
  };
}

describe('renderMonitor (pure)', () => {
  it('shows depths, throughput, progress, workers alive and dead, and events', () => {
    const text = renderMonitor(snapshot(), { color: false, width: 100 });
    const lines = text.split('\n');
    expect(lines[0]).toContain('queue images');
    expect(lines[0]).toContain('12:30:05');
    expect(text).toMatch(/pending\s+12\s+processing\s+3\s+delayed\s+1\s+dlq\s+2\s+done\s+40/);
    expect(text).toContain('5.3 tasks/s');
    expect(text).toContain('42/58 finished');
    expect(text).toContain('1 recovered');
    expect(text).toContain('1 alive · 1 dead');
    const a = lines.find((l) => l.includes('worker-a'))!;
    expect(a).toMatch(/● worker-a\s+busy\s+pid 1234\s+done\s+14 failed\s+1\s+coffee\.png 1\.2s/);
    const c = lines.find((l) => l.includes('worker-c'))!;
    expect(c, 'a dead worker: what Redis still has leased to it').toMatch(
      /✖ worker-c\s+dead\s+pid 1236\s+silent\s+3\.4s\s+still holds: rocket\.jpg/,
    );
    expect(text).toContain('SIGKILL worker-c (pid 1236)');
  });

  it('is deterministic and fits the width; colour adds escapes, not columns', () => {
    const plain = renderMonitor(snapshot(), { color: false, width: 80 });
    expect(renderMonitor(snapshot(), { color: false, width: 80 })).toBe(plain);
    for (const line of plain.split('\n')) expect(visibleLength(line), line).toBeLessThanOrEqual(80);
    const narrow = renderMonitor(snapshot(), { color: false, width: 50 });
    for (const line of narrow.split('\n'))
      expect(visibleLength(line), line).toBeLessThanOrEqual(50);
    expect(narrow, 'no escape codes without colour').not.toContain('\x1b[');
    const coloured = renderMonitor(snapshot(), { color: true, width: 80 });
    expect(coloured).not.toBe(plain);
    expect(coloured.split('\n').map(visibleLength)).toEqual(plain.split('\n').map(visibleLength));
  });

  it('says Redis is unavailable instead of showing stale numbers', () => {
    const text = renderMonitor(snapshot({ counts: null, error: 'connect ECONNREFUSED' }), {
      color: false,
    });
    expect(text).toContain('Redis unavailable: connect ECONNREFUSED');
    expect(text).not.toContain('WORKERS');
  });

  it('renders one line per refresh for pipes', () => {
    expect(renderMonitorLine(snapshot())).toBe(
      '12:30:05 pending 12 processing 3 delayed 1 dlq 2 done 40 · workers 1 alive 1 dead · 5.3 tasks/s',
    );
  });
});

it('ThroughputMeter: tasks per second over a sliding window', () => {
  const meter = new ThroughputMeter(2_000);
  expect(meter.add(0, 0)).toBeNull();
  expect(meter.add(1_000, 10)).toBe(10);
  expect(meter.add(2_000, 30)).toBe(15);
  // The samples at 0 and 1 s leave the 2 s window: the rate covers 2 s → 4 s only.
  expect(meter.add(4_000, 50)).toBe(10);
});

describe('runMonitor', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await testRedis();
  });
  afterAll(async () => {
    await redis?.[Symbol.asyncDispose]();
  });

  it('draws in place on a TTY (cursor up + clear) and stops on q, restoring raw mode', async () => {
    const name = uniqueName('mon');
    const queue = new ReliableTaskQueue({ url: redis.url, name });
    const writes: string[] = [];
    const listeners = new Set<(data: string) => void>();
    const rawModes: boolean[] = [];
    const input = {
      isTTY: true,
      setRawMode: (raw: boolean) => rawModes.push(raw),
      on: (_: 'data', listener: (data: string) => void) => listeners.add(listener),
      off: (_: 'data', listener: (data: string) => void) => listeners.delete(listener),
    };
    try {
      const monitor = runMonitor({
        inspector: queue.inspector,
        intervalMs: 50,
        mode: 'inline',
        output: { write: (text: string) => writes.push(text), isTTY: true, columns: 90 },
        input,
      });
      while (writes.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const listener of listeners) listener('q');
      const last = await monitor.done;
      expect(last?.queue).toBe(name);
      expect(writes[0]).toContain(`queue ${name}`);
      expect(writes[1]?.startsWith(`${ESC}[`)).toBe(true);
      expect(writes[1]).toMatch(/^.\[\d+F.\[0J/);
      expect(rawModes).toEqual([true, false]);
      expect(listeners.size).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('prints plain lines without a TTY and stops when `until` holds', async () => {
    const name = uniqueName('mon');
    const queue = new ReliableTaskQueue({ url: redis.url, name });
    const writes: string[] = [];
    try {
      await queue.enqueue({ pipeline: { steps: [] }, input: 'a.png', output: 'b.png' });
      let frames = 0;
      const monitor = runMonitor({
        inspector: queue.inspector,
        intervalMs: 20,
        output: { write: (text: string) => writes.push(text) },
        input: null,
        until: () => ++frames === 3,
      });
      await monitor.done;
      expect(writes).toHaveLength(3);
      expect(writes[0]).toMatch(/pending 1 processing 0 delayed 0 dlq 0 done 0/);
      expect(writes.join('')).not.toContain(ESC);
    } finally {
      await queue.close();
    }
  });
});
