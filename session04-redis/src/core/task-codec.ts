import { checkDuration, describeValue, InvalidOptionError } from '@workbook/session01';
import {
  createTask,
  type DequeueOptions,
  type NewTask,
  type Task,
  TaskNotProcessingError,
  type TaskResult,
} from '@workbook/session03';
import type { ChainableCommander } from 'ioredis';
import { DuplicateTaskError } from '../errors.ts';
import type { QueueConnection } from './queue-connection.ts';

/** What Redis stores as a task's `data`: the producer's part of a {@link Task}. */
export type StoredTask = Pick<Task, 'id' | 'pipeline' | 'input' | 'output' | 'createdAt'>;

/** A task's `data` field: its producer's part as JSON (counters live in their own fields). */
export function encodeTask(task: Task): string {
  const { id, pipeline, input, output, createdAt } = task;
  const stored: StoredTask = { id, pipeline, input, output, createdAt };
  return JSON.stringify(stored);
}

/** A task from its `data` JSON and the counters kept beside it. */
export function decodeTask(data: string, attempts: number | string, startedAt?: number): Task {
  const stored = JSON.parse(data) as StoredTask;
  const task: Task = { ...stored, attempts: Number(attempts) };
  if (startedAt !== undefined) task.startedAt = startedAt;
  return task;
}

/** A task from its whole hash (`data`, `attempts`, `startedAt`), as `HGETALL` returns it. */
export function taskFromHash(hash: Record<string, string>): Task {
  return decodeTask(
    hash.data!,
    hash.attempts ?? 0,
    hash.startedAt ? Number(hash.startedAt) : undefined,
  );
}

/**
 * Adds tasks in one round trip: every task is checked (`createTask`), then one pipeline sends
 * one enqueue script call per task. Each task is added atomically; the batch as a whole is not
 * (a crash half-way leaves the first tasks queued).
 * @param add queues the enqueue script of one task on the pipeline; its reply is `1` when
 * added and `0` when a task with this id is already stored
 * @throws {InvalidOptionError} for a malformed task; {@link DuplicateTaskError}
 * `ERR_DUPLICATE_TASK` (after the other tasks of the batch were added); `ERR_REDIS_UNAVAILABLE`
 */
export async function enqueueBatch(
  connection: QueueConnection,
  newTasks: readonly NewTask[],
  add: (pipeline: ChainableCommander, task: Task, data: string) => void,
): Promise<Task[]> {
  if (!Array.isArray(newTasks)) {
    throw new InvalidOptionError(`Expected an array of tasks, got ${describeValue(newTasks)}`);
  }
  const tasks = newTasks.map((newTask) => createTask(newTask));
  if (tasks.length === 0) return [];
  const pipeline = connection.client.pipeline();
  for (const task of tasks) add(pipeline, task, encodeTask(task));
  const replies = await connection.exec(pipeline);
  replies.forEach((added, index) => {
    if (added === 0) throw new DuplicateTaskError(tasks[index]!.id, connection.name);
  });
  return tasks;
}

/**
 * Checks `dequeue`'s options.
 * @throws {InvalidOptionError} for a `timeoutMs` that is not a number >= 0
 */
export function dequeueOptions(options: DequeueOptions): {
  timeoutMs: number;
  signal: AbortSignal | undefined;
} {
  const timeoutMs = checkDuration('timeoutMs', options.timeoutMs ?? 0, {
    min: 0,
    allowInfinity: true,
  });
  return { timeoutMs, signal: options.signal };
}

/**
 * Checks an `ack`/`fail` call before anything is sent: the task has an id, and the result is
 * that task's.
 * @returns the task's id
 * @throws {TaskNotProcessingError} when the task has no id; {@link InvalidOptionError} for the
 * result of another task
 */
export function checkFinish(operation: 'ack' | 'fail', task: Task, result: TaskResult): string {
  const id = (task as Partial<Task> | null)?.id;
  if (typeof id !== 'string' || id.length === 0) {
    throw new TaskNotProcessingError(operation, String(id), 'it has no id');
  }
  if (result?.taskId !== id) {
    throw new InvalidOptionError(
      `Expected the result of task \`${id}\` to have \`taskId\` \`${id}\`, got ` +
        describeValue(result?.taskId),
    );
  }
  return id;
}

/** Why a finish script refused: its reply `-1` (already finished) or `0` (never delivered). */
export function notProcessing(operation: 'ack' | 'fail', id: string, outcome: number) {
  return new TaskNotProcessingError(
    operation,
    id,
    outcome === -1
      ? 'it was already acked or failed'
      : 'this queue has not delivered it (unknown id, or not dequeued)',
  );
}
