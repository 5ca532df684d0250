import { EventEmitter } from 'node:events';
import { access, mkdir, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import {
  checkInteger,
  describeValue,
  ImageErrorCodes,
  InvalidOptionError,
  type OutputFormat,
  type SafeInputOptions,
  type SerializedError,
  serializeError,
} from '@workbook/session01';
import { AbortedError, PipelineErrorCodes } from './errors.ts';
import type { FilterCatalogue } from './filter-catalogue.ts';
import { FilterPipeline } from './filter-pipeline.ts';
import { createLimiter } from './limiter.ts';
import { resolveInside } from './paths.ts';
import type { PipelineSpec } from './pipeline-spec.ts';

/** Options of {@link BatchProcessor}. */
export interface BatchOptions {
  /** Folder to read images from. Every input must stay inside it (symlinks are resolved). */
  inputDir: string;
  /** Folder to write results to (created if missing). Every output must stay inside it. */
  outputDir: string;
  /** The pipeline to run on every image: a built pipeline or a spec (validated at once). */
  pipeline: FilterPipeline | PipelineSpec;
  /** Name used for `{pipeline}` in output names. @default 'out' */
  pipelineName?: string;
  /** Validates a spec given as `pipeline`. @default session 01's built-in filters */
  factory?: FilterCatalogue;
  /** Images processed at the same time. @default os.availableParallelism() */
  concurrency?: number;
  /** Also process images in sub-folders (their folder structure is kept). @default false */
  recursive?: boolean;
  /**
   * Output file name; `{name}` is the input name without extension, `{pipeline}` the
   * pipeline name, `{ext}` the output format's extension. No folders: `/` is not allowed.
   * @default '{name}-{pipeline}.{ext}'
   */
  naming?: string;
  /** Leave images whose output already exists alone (status `skipped`). @default false */
  skipExisting?: boolean;
  /** Extensions that count as images (lowercase, no dot). @default jpg, jpeg, png, webp, avif, gif, tif, tiff */
  extensions?: readonly string[];
  /** Safety limits for decoding each input. @default session 01's defaults */
  input?: SafeInputOptions;
  /**
   * Stops the batch: no new image starts, running ones stop between passes; unfinished images
   * are reported with status `aborted` and `run()` still resolves with the summary.
   * @default none
   */
  signal?: AbortSignal;
  /** Called after every image (completed, failed, skipped or aborted). @default none */
  onProgress?: (progress: BatchProgress) => void;
}

/** What happened to one input image. */
export type FileStatus = 'completed' | 'failed' | 'skipped' | 'aborted';

/** The outcome of one input image. */
export interface FileResult {
  /** Input path relative to `inputDir`. */
  input: string;
  /** Output path relative to `outputDir` (also for skipped/failed: where it would go). */
  output: string;
  status: FileStatus;
  /** Encoded size of the input (0 when it could not be read). */
  bytesIn: number;
  /** Size of the written output (0 unless completed). */
  bytesOut: number;
  durationMs: number;
  /** Why it failed, flattened so it can be logged, sent or stored. */
  error?: SerializedError;
}

/** Progress after each image. */
export interface BatchProgress {
  /** Images finished so far (any status). */
  done: number;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** Images being processed right now. */
  inFlight: number;
  /** The image that just finished. */
  result: FileResult;
}

/** The result of a whole batch. */
export interface BatchSummary {
  /** Images found. */
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** Images not finished because the batch was aborted. */
  aborted: number;
  elapsedMs: number;
  /** Succeeded images per second of wall time. */
  imagesPerSecond: number;
  /** Bytes read from the images that succeeded. */
  bytesIn: number;
  /** Bytes written. */
  bytesOut: number;
  /** The most images that were in flight at once (never above `concurrency`). */
  maxInFlight: number;
  concurrency: number;
  /** The failed images with their error code and message. */
  failures: Array<{ input: string; code: string; message: string }>;
  /** Every image, in input order. */
  results: FileResult[];
}

/** Events of {@link BatchProcessor}: `started` with the total, one per image, then `finished`. */
export interface BatchEvents {
  started: [{ total: number; concurrency: number }];
  /** An image began processing. */
  fileStarted: [{ input: string; inFlight: number }];
  completed: [FileResult];
  failed: [FileResult];
  skipped: [FileResult];
  aborted: [FileResult];
  progress: [BatchProgress];
  finished: [BatchSummary];
}

const DEFAULT_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tif', 'tiff'];
const DEFAULT_NAMING = '{name}-{pipeline}.{ext}';
const NAMING_TOKENS = ['name', 'pipeline', 'ext'];
const EXTENSION_OF: Record<OutputFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
};

/**
 * Runs one pipeline over a folder of images, a few at a time, and reports what happened to
 * each. One bad image never stops the batch: its error is recorded (code and message) and the
 * rest go on. Options are checked in the constructor; `run()` does the work.
 *
 * @example
 * const batch = new BatchProcessor({
 *   inputDir: 'photos', outputDir: 'out', concurrency: 4,
 *   pipeline: { steps: [{ name: 'grayscale' }], output: { format: 'webp' } },
 *   pipelineName: 'grey',
 * });
 * batch.on('failed', (r) => console.log(r.input, r.error?.code));
 * const summary = await batch.run();
 * @throws {InvalidOptionError} for bad options; the spec errors of `FilterPipeline.fromSpec`.
 */
export class BatchProcessor extends EventEmitter<BatchEvents> {
  readonly #options: BatchOptions;
  readonly #pipeline: FilterPipeline;
  readonly #concurrency: number;
  readonly #naming: string;
  readonly #extensions: ReadonlySet<string>;

  constructor(options: BatchOptions) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new InvalidOptionError(`Expected batch options, got ${describeValue(options)}`);
    }
    for (const key of ['inputDir', 'outputDir'] as const) {
      if (typeof options[key] !== 'string' || options[key].length === 0) {
        throw new InvalidOptionError(
          `Expected \`${key}\` to be a folder path, got ${describeValue(options[key])}`,
        );
      }
    }
    this.#options = options;
    this.#pipeline =
      options.pipeline instanceof FilterPipeline
        ? options.pipeline
        : FilterPipeline.fromSpec(options.pipeline, options.factory);
    this.#concurrency = checkInteger('concurrency', options.concurrency ?? availableParallelism(), {
      min: 1,
    });
    this.#naming = checkNaming(options.naming ?? DEFAULT_NAMING);
    const name = options.pipelineName ?? 'out';
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) {
      throw new InvalidOptionError(
        `Expected \`pipelineName\` to be letters, digits, '-', '_' or '.', got ${describeValue(name)}`,
      );
    }
    this.#extensions = new Set(
      (options.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase().replace(/^\./, '')),
    );
  }

  /**
   * Processes every image and resolves with the summary. It does not reject for a bad image
   * (see `failures`), only when the folders themselves cannot be used.
   *
   * @throws {WorkbookError} `ERR_FILE_NOT_FOUND` when `inputDir` does not exist.
   */
  async run(): Promise<BatchSummary> {
    const startedAt = performance.now();
    const { inputDir, outputDir, signal } = this.#options;
    await mkdir(outputDir, { recursive: true });
    const inputs = await listImages(
      inputDir,
      outputDir,
      this.#options.recursive ?? false,
      this.#extensions,
    );
    const limit = createLimiter(this.#concurrency);
    const results: FileResult[] = new Array(inputs.length);
    const counts = { done: 0, succeeded: 0, failed: 0, skipped: 0, inFlight: 0, maxInFlight: 0 };
    this.emit('started', { total: inputs.length, concurrency: this.#concurrency });

    await Promise.all(
      inputs.map((relative, index) =>
        limit(async () => {
          const result = signal?.aborted
            ? this.#abortedResult(relative)
            : await this.#processOne(relative, counts);
          results[index] = result;
          this.#report(result, counts, inputs.length);
        }),
      ),
    );

    const elapsedMs = performance.now() - startedAt;
    const summary = summarise(results, elapsedMs, counts.maxInFlight, this.#concurrency);
    this.emit('finished', summary);
    return summary;
  }

  async #processOne(
    relative: string,
    counts: { inFlight: number; maxInFlight: number },
  ): Promise<FileResult> {
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    this.emit('fileStarted', { input: relative, inFlight: counts.inFlight });
    const startedAt = performance.now();
    const format = this.#pipeline.output?.format ?? formatForInput(relative);
    const output = this.#outputName(relative, format);
    const base = { input: relative, output, bytesIn: 0, bytesOut: 0 };
    try {
      const inputPath = await resolveInside(this.#options.inputDir, relative);
      const outputPath = await resolveInside(this.#options.outputDir, output);
      base.bytesIn = (await stat(inputPath)).size;
      if (this.#options.skipExisting && (await exists(outputPath))) {
        return { ...base, status: 'skipped' as const, durationMs: performance.now() - startedAt };
      }
      const written = await this.#pipeline.runToFile(inputPath, outputPath, {
        format,
        ...(this.#options.input ? { input: this.#options.input } : {}),
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      });
      return {
        ...base,
        status: 'completed' as const,
        bytesOut: written.bytes,
        durationMs: performance.now() - startedAt,
      };
    } catch (error) {
      const serialized = serializeError(error);
      const status: FileStatus =
        serialized.code === PipelineErrorCodes.ABORTED ? 'aborted' : 'failed';
      return { ...base, status, error: serialized, durationMs: performance.now() - startedAt };
    } finally {
      counts.inFlight--;
    }
  }

  #abortedResult(relative: string): FileResult {
    const format = this.#pipeline.output?.format ?? formatForInput(relative);
    return {
      input: relative,
      output: this.#outputName(relative, format),
      status: 'aborted',
      bytesIn: 0,
      bytesOut: 0,
      durationMs: 0,
      error: serializeError(new AbortedError('The batch was aborted before this image started')),
    };
  }

  #report(
    result: FileResult,
    counts: { done: number; succeeded: number; failed: number; skipped: number; inFlight: number },
    total: number,
  ): void {
    counts.done++;
    if (result.status === 'completed') counts.succeeded++;
    if (result.status === 'failed') counts.failed++;
    if (result.status === 'skipped') counts.skipped++;
    this.emit(result.status, result); // `completed`, `failed`, `skipped` or `aborted`
    const progress: BatchProgress = {
      done: counts.done,
      total,
      succeeded: counts.succeeded,
      failed: counts.failed,
      skipped: counts.skipped,
      inFlight: counts.inFlight,
      result,
    };
    this.emit('progress', progress);
    this.#options.onProgress?.(progress);
  }

  /** Output path (relative to outputDir) for an input: same sub-folder, name from the pattern. */
  #outputName(relative: string, format: OutputFormat): string {
    const parsed = path.parse(relative);
    const file = this.#naming
      .replaceAll('{name}', parsed.name)
      .replaceAll('{pipeline}', this.#options.pipelineName ?? 'out')
      .replaceAll('{ext}', EXTENSION_OF[format]);
    return path.join(parsed.dir, file);
  }
}

/**
 * Checks an output naming pattern: known tokens only, `{name}` required (or every image would
 * overwrite the same file), no folders.
 *
 * @throws {InvalidOptionError}
 */
export function checkNaming(pattern: string): string {
  const fail = (why: string): never => {
    throw new InvalidOptionError(
      `Expected \`naming\` to be a file name pattern like '${DEFAULT_NAMING}', got ` +
        `${describeValue(pattern)}: ${why}`,
    );
  };
  if (typeof pattern !== 'string' || pattern.length === 0) return fail('it must be a string');
  if (!pattern.includes('{name}'))
    fail('it must contain {name}, or every image gets the same name');
  if (/[/\\\0]/.test(pattern) || pattern.includes('..')) fail('no folders, `..` or NUL bytes');
  for (const [, token] of pattern.matchAll(/\{([^}]*)\}/g)) {
    if (!NAMING_TOKENS.includes(token!)) {
      fail(`unknown token {${token}}; allowed: ${NAMING_TOKENS.map((t) => `{${t}}`).join(', ')}`);
    }
  }
  return pattern;
}

/** Image files under `inputDir`, relative to it, sorted; dot-files and `outputDir` are left out. */
async function listImages(
  inputDir: string,
  outputDir: string,
  recursive: boolean,
  extensions: ReadonlySet<string>,
): Promise<string[]> {
  const root = await resolveInside(inputDir, '.');
  const outputAbs = path.resolve(outputDir);
  const found: string[] = [];
  const walk = async (relativeDir: string) => {
    const entries = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files and our own temporary outputs
      const relative = path.join(relativeDir, entry.name);
      if (entry.isDirectory()) {
        if (recursive && path.resolve(root, relative) !== outputAbs) await walk(relative);
      } else if (extensions.has(path.extname(entry.name).slice(1).toLowerCase())) {
        found.push(relative); // symlinks too: resolveInside decides per file whether they stay inside
      }
    }
  };
  await walk('');
  return found.sort();
}

function formatForInput(relative: string): OutputFormat {
  const ext = path.extname(relative).slice(1).toLowerCase();
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp' || ext === 'avif') return ext;
  return 'png';
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

function summarise(
  results: FileResult[],
  elapsedMs: number,
  maxInFlight: number,
  concurrency: number,
): BatchSummary {
  const count = (status: FileStatus) => results.filter((r) => r.status === status).length;
  const succeeded = results.filter((r) => r.status === 'completed');
  return {
    total: results.length,
    succeeded: succeeded.length,
    failed: count('failed'),
    skipped: count('skipped'),
    aborted: count('aborted'),
    elapsedMs,
    imagesPerSecond: elapsedMs > 0 ? succeeded.length / (elapsedMs / 1000) : 0,
    bytesIn: succeeded.reduce((sum, r) => sum + r.bytesIn, 0),
    bytesOut: succeeded.reduce((sum, r) => sum + r.bytesOut, 0),
    maxInFlight,
    concurrency,
    failures: results
      .filter((r) => r.status === 'failed')
      .map((r) => ({
        input: r.input,
        code: r.error?.code ?? ImageErrorCodes.UNEXPECTED,
        message: r.error?.message ?? '',
      })),
    results,
  };
}
