import { mkdir } from 'node:fs/promises';
import type { SafeInputOptions } from '@workbook/session01';
import type { FilterCatalogue } from './filter-catalogue.ts';
import { FilterPipeline, type ProcessedImage } from './filter-pipeline.ts';
import { resolveInside } from './paths.ts';
import type { PipelineSpec } from './pipeline-spec.ts';

/** Options of {@link processImage}. */
export interface ProcessImageOptions {
  /**
   * Folder the input must be inside; relative inputs are resolved against it. Give it whenever
   * the input path comes from someone else (a task, a request).
   * @default no restriction
   */
  inputRoot?: string;
  /**
   * Folder the output must be inside (created if missing); relative outputs are resolved
   * against it.
   * @default no restriction
   */
  outputRoot?: string;
  /** Validates the spec's filters. @default a factory with session 01's built-in filters */
  factory?: FilterCatalogue;
  /** Safety limits for decoding the input. @default session 01's defaults */
  input?: SafeInputOptions;
  /** Cancels the work between passes. @default none */
  signal?: AbortSignal;
}

/**
 * Runs one pipeline spec on one image file and writes the result atomically: the whole job of a
 * session 03 worker for one task. The spec is validated first (untrusted JSON is fine), the
 * paths are confined to `inputRoot` / `outputRoot` when given, and the output format is the
 * spec's, else the output file's extension.
 *
 * @example
 * await processImage(
 *   { steps: [{ name: 'grayscale' }], output: { format: 'webp' } },
 *   'cats/tom.jpg', 'tom.webp',
 *   { inputRoot: '/data/in', outputRoot: '/data/out' },
 * );
 * @throws {WorkbookError} `ERR_INVALID_SPEC`, `ERR_UNKNOWN_FILTER`, `ERR_INVALID_OPTION`,
 *   `ERR_PATH_OUTSIDE_ROOT`, session 01's input codes, `ERR_ABORTED`.
 */
export async function processImage(
  spec: PipelineSpec,
  inputPath: string,
  outputPath: string,
  options: ProcessImageOptions = {},
): Promise<ProcessedImage> {
  const pipeline = FilterPipeline.fromSpec(spec, options.factory);
  const input = options.inputRoot ? await resolveInside(options.inputRoot, inputPath) : inputPath;
  // The roots are the operator's configuration, not the untrusted part: creating a missing
  // output root is fine; confining the task's paths to it is what matters.
  if (options.outputRoot) await mkdir(options.outputRoot, { recursive: true });
  const output = options.outputRoot
    ? await resolveInside(options.outputRoot, outputPath)
    : outputPath;
  return pipeline.runToFile(input, output, {
    ...(options.input ? { input: options.input } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
