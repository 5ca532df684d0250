import { processImage } from '@workbook/session02';
import type { OutputInfo, Task } from './task.ts';
import type { TaskProcessor } from './worker-types.ts';

/** Options of {@link processImageTask} and {@link createImageProcessor}. */
export interface ImageProcessorOptions {
  /**
   * Folder every task input must stay in; relative inputs resolve against it. Give it whenever
   * tasks come from someone else: a task naming `../../etc/passwd` then fails with
   * `ERR_PATH_OUTSIDE_ROOT` instead of being read.
   * @default no restriction
   */
  inputRoot?: string;
  /** Folder every task output must stay in; relative outputs resolve against it. @default no restriction */
  outputRoot?: string;
}

/**
 * Runs one image task with session 02's `processImage`: validates the pipeline spec, reads
 * `task.input`, applies the steps and writes `task.output` atomically (a reader never sees a
 * half-written file). This is also the function the thread pool runs in each thread.
 *
 * @example
 * const output = await processImageTask(task, { outputRoot: 'out' });
 * @throws {WorkbookError} with the code of what went wrong: `ERR_INVALID_SPEC`,
 *   `ERR_UNKNOWN_FILTER`, `ERR_INVALID_OPTION`, `ERR_FILE_NOT_FOUND`, `ERR_IMAGE_CORRUPT`,
 *   `ERR_NOT_AN_IMAGE`, `ERR_PATH_OUTSIDE_ROOT`, `ERR_ABORTED`, ...
 */
export async function processImageTask(
  task: Task,
  options: ImageProcessorOptions = {},
  signal?: AbortSignal,
): Promise<OutputInfo> {
  const written = await processImage(task.pipeline, task.input, task.output, {
    ...(options.inputRoot === undefined ? {} : { inputRoot: options.inputRoot }),
    ...(options.outputRoot === undefined ? {} : { outputRoot: options.outputRoot }),
    ...(signal ? { signal } : {}),
  });
  return {
    path: written.path,
    format: written.format,
    width: written.width,
    height: written.height,
    bytes: written.bytes,
  };
}

/**
 * The processor workers use for image tasks (in this thread). When the worker's grace period
 * runs out, the context's signal cancels the pipeline between passes.
 *
 * @example
 * const worker = new SimpleWorker({ queue, processor: createImageProcessor({ outputRoot: 'out' }) });
 */
export function createImageProcessor(options: ImageProcessorOptions = {}): TaskProcessor {
  const roots = { ...options };
  return (task, context) => processImageTask(task, roots, context.signal);
}
