import { waitFor } from '@workbook/tools/testkit';
import { describe, expect, it } from 'vitest';
import { AsyncWorker } from '../src/async-worker.ts';
import { InMemoryTaskQueue } from '../src/in-memory-task-queue.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import type { TaskProcessor } from '../src/worker-types.ts';
import { fakeOutput, logCapture, work } from './helpers.ts';

describe('createLogger', () => {
  it('writes one JSON object per line with name, level, time, bindings and message', () => {
    const { destination, lines } = logCapture();
    const logger = createLogger({ name: 'test', level: 'debug', pretty: false, destination });
    logger.child({ workerId: 'w1' }).debug({ taskId: 't1' }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      name: 'test',
      level: 20,
      workerId: 'w1',
      taskId: 't1',
      msg: 'hello',
    });
    expect(typeof lines[0]!.time).toBe('number');
  });

  it('drops lines below its level', () => {
    const { destination, lines } = logCapture();
    const logger = createLogger({ name: 'test', level: 'warn', pretty: false, destination });
    logger.info({}, 'not written');
    logger.warn({}, 'written');
    expect(lines.map((line) => line.msg)).toEqual(['written']);
  });

  it('rejects a bad level or name with ERR_INVALID_OPTION', () => {
    expect(() => createLogger({ name: 'x', level: 'loud' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => createLogger({ name: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
  });

  it('pino satisfies the Logger interface', () => {
    const logger: Logger = createLogger({ name: 'typed', level: 'silent', pretty: false });
    expect(typeof logger.child({ a: 1 }).info).toBe('function');
  });
});

describe('worker logs', () => {
  it('every line about a task carries workerId and taskId, the processor’s own lines too', async () => {
    const { destination, lines } = logCapture();
    const logger = createLogger({ name: 'workers', level: 'debug', pretty: false, destination });
    const queue = new InMemoryTaskQueue();
    const processor: TaskProcessor = async (task, context) => {
      context.logger.debug({ step: 'decode' }, 'processor working');
      await work(5);
      if (task.input === 'in-1') {
        throw Object.assign(new Error('broken'), { code: 'ERR_IMAGE_CORRUPT' });
      }
      return fakeOutput(task.output);
    };
    const worker = new AsyncWorker({ queue, processor, concurrency: 2, logger, id: 'w-log' });
    const ids: string[] = [];
    for (const n of [0, 1, 2]) {
      ids.push(
        (await queue.enqueue({ pipeline: { steps: [] }, input: `in-${n}`, output: `o-${n}` })).id,
      );
    }
    await worker.start();
    await waitFor(async () => {
      const stats = await queue.stats();
      return stats.completed + stats.failed === 3;
    });
    await worker.stop();

    expect(
      lines.every((line) => line.workerId === 'w-log'),
      'every line names the worker',
    ).toBe(true);
    for (const id of ids) {
      const taskLines = lines.filter((line) => line.taskId === id);
      const messages = taskLines.map((line) => line.msg);
      expect(messages).toContain('task started');
      expect(messages).toContain('processor working');
      expect(messages.some((m) => m === 'task completed' || m === 'task failed')).toBe(true);
    }
    const failed = lines.find((line) => line.msg === 'task failed');
    expect(failed).toMatchObject({ taskId: ids[1], level: 40, err: { code: 'ERR_IMAGE_CORRUPT' } });
    const messages = lines.map((line) => line.msg);
    expect(messages[0]).toBe('worker started');
    expect(messages.at(-1)).toBe('worker stopped');
  });
});

describe('createLogger pretty', () => {
  it('writes human-readable lines (level, message, fields) instead of JSON', () => {
    const chunks: string[] = [];
    const destination = { write: (line: string) => chunks.push(line) };
    const logger = createLogger({ name: 'pretty', pretty: true, destination });
    logger.child({ workerId: 'w1' }).info({ taskId: 't1' }, 'task completed');
    const text = chunks.join('');
    expect(text).toContain('INFO');
    expect(text).toContain('task completed');
    expect(text).toContain('workerId: "w1"');
    expect(() => JSON.parse(text)).toThrow();
  });
});
