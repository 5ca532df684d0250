import type { SerializedError } from '@workbook/session01';
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
  /**
   * Opaque delivery token set by queues that fence acks (session 05): an ack or fail must
   * present the token of the current delivery.
   */
  lease?: string;
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
