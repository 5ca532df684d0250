import { randomUUID } from 'node:crypto';
import {
  describeValue,
  InvalidOptionError,
  type SerializedError,
  serializeError,
} from '@workbook/session01';
import type { PipelineSpec } from '@workbook/session02';

/**
 * A unit of work: run one pipeline on one input image and write one output image.
 * Tasks are plain JSON so they can cross threads, processes and Redis unchanged.
 */
export interface Task {
  /** Unique id (a UUID unless the producer chose one). */
  id: string;
  /** The pipeline to run (session 02's serialisable spec). */
  pipeline: PipelineSpec;
  /** Path of the input image. */
  input: string;
  /** Path the output image is written to. */
  output: string;
  /** How many times a worker has started this task (0 before the first delivery). */
  attempts: number;
  /** When the task was created (epoch ms). */
  createdAt: number;
  /** When the current attempt started (epoch ms); set at dequeue. */
  startedAt?: number;
}

/** What a producer supplies; the queue fills in id (if missing), attempts and createdAt. */
export type NewTask = Pick<Task, 'pipeline' | 'input' | 'output'> & Partial<Pick<Task, 'id'>>;

/** Information about a written output image. */
export interface OutputInfo {
  path: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
}

/** The outcome of one task. */
export interface TaskResult {
  taskId: string;
  status: 'completed' | 'failed';
  /** Present when status is `completed`. */
  output?: OutputInfo;
  /** Present when status is `failed`: the error flattened to `{name, code, message}`. */
  error?: SerializedError;
  /** Wall time of the attempt that produced this result. */
  durationMs: number;
  /** Which worker produced it. */
  workerId: string;
  /** The attempt number that produced it (1 for the first delivery). */
  attempt: number;
  /** When it finished (epoch ms). */
  finishedAt: number;
}

/** Who produced a result and how long it took; the rest comes from the task. */
export interface ResultMeta {
  /** The worker that ran the attempt. */
  workerId: string;
  /** Wall time of the attempt. */
  durationMs: number;
  /** When it finished (epoch ms). @default Date.now() */
  finishedAt?: number;
}

/**
 * Builds a stored {@link Task} from what a producer supplies: a UUID (unless `id` is given),
 * `attempts: 0` and `createdAt: now`. Queues call it in `enqueue`.
 *
 * @example
 * const task = createTask({ pipeline, input: 'in/cat.png', output: 'out/cat.webp' });
 * @throws {InvalidOptionError} when `input`, `output` or `id` is not a non-empty string, or
 * `pipeline` is not an object with a `steps` array.
 */
export function createTask(newTask: NewTask): Task {
  if (newTask === null || typeof newTask !== 'object') {
    throw new InvalidOptionError(
      `Expected a task to be an object with pipeline, input and output, got ${describeValue(newTask)}`,
    );
  }
  for (const key of ['input', 'output'] as const) {
    if (typeof newTask[key] !== 'string' || newTask[key].length === 0) {
      throw new InvalidOptionError(
        `Expected \`${key}\` of a task to be a non-empty path, got ${describeValue(newTask[key])}`,
      );
    }
  }
  if (newTask.id !== undefined && (typeof newTask.id !== 'string' || newTask.id.length === 0)) {
    throw new InvalidOptionError(
      `Expected \`id\` of a task to be a non-empty string or left out, got ${describeValue(newTask.id)}`,
    );
  }
  const pipeline = newTask.pipeline as unknown;
  if (
    pipeline === null ||
    typeof pipeline !== 'object' ||
    !Array.isArray((pipeline as { steps?: unknown }).steps)
  ) {
    throw new InvalidOptionError(
      'Expected `pipeline` of a task to be a pipeline spec `{ steps: [...] }`, got ' +
        describeValue(pipeline),
    );
  }
  return {
    id: newTask.id ?? randomUUID(),
    pipeline: newTask.pipeline,
    input: newTask.input,
    output: newTask.output,
    attempts: 0,
    createdAt: Date.now(),
  };
}

/**
 * The result of an attempt that wrote its output.
 * @example
 * await queue.ack(task, completedResult(task, output, { workerId, durationMs: 120 }));
 */
export function completedResult(task: Task, output: OutputInfo, meta: ResultMeta): TaskResult {
  return {
    taskId: task.id,
    status: 'completed',
    output,
    durationMs: meta.durationMs,
    workerId: meta.workerId,
    attempt: task.attempts,
    finishedAt: meta.finishedAt ?? Date.now(),
  };
}

/**
 * The result of an attempt that threw: the error is flattened with `serializeError`, so its
 * `code` survives JSON, structured clone and Redis.
 * @example
 * await queue.fail(task, failedResult(task, error, { workerId, durationMs: 5 }));
 */
export function failedResult(task: Task, error: unknown, meta: ResultMeta): TaskResult {
  return {
    taskId: task.id,
    status: 'failed',
    error: serializeError(error),
    durationMs: meta.durationMs,
    workerId: meta.workerId,
    attempt: task.attempts,
    finishedAt: meta.finishedAt ?? Date.now(),
  };
}
