/**
 * One worker process of the my-queue demo: takes task ids with YOUR reliableTake (04.1), runs
 * the image task, acks it with YOUR ackWithResult (04.2), and prints one JSON line per task
 * (what YOUR runWorkers, 04.3, reads). A piece still at its 🐨 TODO is replaced by the plain
 * Redis commands, and the process says so in a JSON line.
 *
 *   REDIS_URL=… QUEUE=… IN_DIR=… OUT_DIR=… node --import tsx demos/support/my-queue-worker.ts
 */

import { processImageTask, type Task } from '@workbook/session03';
import { queueKeys } from '@workbook/session04';
import { Redis } from 'ioredis';
import { reliableTake } from '#ex/01-atomic-dequeue/reliable-take.ts';
import { ackWithResult } from '#ex/02-ack-with-result/ack-with-result.ts';

const redis = new Redis(process.env.REDIS_URL ?? '');
const keys = queueKeys(process.env.QUEUE ?? 'my-queue');
const say = (data: Record<string, unknown>) => console.log(JSON.stringify(data));
const isTodo = (error: unknown) => error instanceof Error && error.message.includes('TODO');
let takeIsYours = true;
let ackIsYours = true;

async function take(): Promise<string | null> {
  if (takeIsYours) {
    try {
      return await reliableTake(redis, keys, 500);
    } catch (error) {
      if (!isTodo(error)) throw error;
      takeIsYours = false;
      say({ event: 'todo', exercise: '04.1' });
    }
  }
  return redis.blmove(keys.pending, keys.processing, 'RIGHT', 'LEFT', 0.5);
}

async function ack(id: string, resultJson: string): Promise<boolean> {
  if (ackIsYours) {
    try {
      return await ackWithResult(redis, keys, id, resultJson, 600_000);
    } catch (error) {
      if (!isTodo(error)) throw error;
      ackIsYours = false;
      say({ event: 'todo', exercise: '04.2' });
    }
  }
  const [[, removed] = []] =
    (await redis
      .multi()
      .lrem(keys.processing, 1, id)
      .set(keys.result(id), resultJson, 'PX', 600_000)
      .exec()) ?? [];
  return removed === 1;
}

try {
  for (let id = await take(); id !== null; id = await take()) {
    const task = JSON.parse((await redis.hget(keys.task(id), 'data')) ?? '{}') as Task;
    const started = performance.now();
    const output = await processImageTask(task, {
      inputRoot: process.env.IN_DIR ?? '.',
      outputRoot: process.env.OUT_DIR ?? '.',
    });
    const durationMs = Math.round(performance.now() - started);
    const acked = await ack(id, JSON.stringify({ taskId: id, status: 'completed', output }));
    say({ taskId: id, status: acked ? 'completed' : 'not-acked', durationMs, input: task.input });
  }
} finally {
  redis.disconnect();
}
