import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  checkInteger,
  checkOutputFormat,
  describeValue,
  diagnoseImageError,
  encodeWithInfo,
  type Filter,
  formatFromExtension,
  InvalidOptionError,
  OUTPUT_FORMATS,
  type OutputFormat,
  openImage,
  type SafeInputOptions,
  toImageError,
} from '@workbook/session01';
import sharp, { type Sharp } from 'sharp';
import { AbortedError } from './errors.ts';
import { builtinCatalogue, type FilterCatalogue } from './filter-catalogue.ts';
import { writeFileAtomic } from './paths.ts';
import { type OutputSpec, type PipelineSpec, parsePipelineSpec } from './pipeline-spec.ts';
import { canJoinPass } from './sharp-order.ts';

/** What a pipeline run produced, next to the encoded bytes. */
export interface EncodedInfo {
  format: OutputFormat;
  width: number;
  height: number;
  channels: number;
  /** Size of the encoded output. */
  bytes: number;
}

/** An image a pipeline wrote to disk (also the `output` of a session 03 task result). */
export interface ProcessedImage {
  path: string;
  format: OutputFormat;
  width: number;
  height: number;
  bytes: number;
}

/** Options of {@link FilterPipeline.run} and {@link FilterPipeline.runToFile}. */
export interface RunOptions {
  /**
   * Output format; overrides the spec's `output.format`.
   * @default the spec's format, else (runToFile) the output file's extension, else the input's
   *   format if it is one we write, else png
   */
  format?: OutputFormat;
  /** Encoder quality 1-100; overrides the spec's `output.quality`. @default the encoder's */
  quality?: number;
  /** Safety limits for decoding the input (session 01's `openImage`). @default its defaults */
  input?: SafeInputOptions;
  /** Cancels the run between passes. @default none */
  signal?: AbortSignal;
}

/** Options of the {@link FilterPipeline} constructor. */
export interface FilterPipelineOptions {
  /** How the result is encoded (part of the spec). @default the input's format */
  output?: OutputSpec;
}

/**
 * An ordered chain of filters that runs in the order the user gave, in as few passes as
 * that order allows.
 *
 * sharp applies the operations of ONE pipeline in its own fixed order (see `SHARP_OP_ORDER`),
 * so `blur` then `resize` cannot share a pipeline: sharp would resize first. The planner cuts
 * the chain into passes wherever the next filter's ops would run too early; between passes the
 * image travels as raw pixels in memory — decoded once at the start, encoded once at the end.
 *
 * @example
 * const pipeline = new FilterPipeline()
 *   .add(builtinFilters.resize({ width: 400 }))
 *   .add(builtinFilters.blur({ sigma: 2 }));
 * pipeline.passes(); // one pass: [[resize, blur]]
 * const { data } = await pipeline.run('cat.jpg', { format: 'webp' });
 */
export class FilterPipeline {
  readonly #filters: Filter[] = [];
  #output: OutputSpec | undefined;

  constructor(filters: readonly Filter[] = [], options: FilterPipelineOptions = {}) {
    for (const filter of filters) this.add(filter);
    if (options.output) checkOutput(options.output.format, options.output.quality);
    this.#output = options.output ? { ...options.output } : undefined;
  }

  /**
   * Builds a pipeline from a spec (object or JSON string), validating the structure, every
   * filter name and every parameter first.
   * @param factory where filters come from by name: a `FilterFactory` or any {@link FilterCatalogue}
   * @default factory session 01's built-in filters
   * @throws {InvalidSpecError} | {UnknownFilterError} | {InvalidOptionError}
   */
  static fromSpec(spec: PipelineSpec | unknown, factory?: FilterCatalogue): FilterPipeline {
    const catalogue = factory ?? builtinCatalogue();
    const parsed = parsePipelineSpec(spec, catalogue);
    return new FilterPipeline(
      parsed.steps.map((step) => catalogue.create(step)),
      parsed.output ? { output: parsed.output } : {},
    );
  }

  /**
   * Appends a filter; it runs after every filter added before it. Returns this pipeline.
   * @throws {InvalidOptionError} when `filter` is not a Filter.
   */
  add(filter: Filter): this {
    if (!filter || typeof filter.apply !== 'function' || !Array.isArray(filter.ops)) {
      throw new InvalidOptionError(
        `Expected a Filter (build one with a factory, e.g. builtinFilters.blur()), got ${describeValue(filter)}`,
      );
    }
    this.#filters.push(filter);
    return this;
  }

  /** The filters, in the order they run. */
  get filters(): readonly Filter[] {
    return [...this.#filters];
  }

  /** How the result is encoded, when the spec says so. */
  get output(): OutputSpec | undefined {
    return this.#output ? { ...this.#output } : undefined;
  }

  /**
   * The plan: the filters grouped into the sharp pipelines that will run them. Consecutive
   * filters share a pass while sharp's fixed order applies them in the user's order.
   *
   * @example
   * // resize → blur → blur: a second blur would replace the first, so it needs a new pass
   * pipeline.passes().map((pass) => pass.map(String)); // [['resize(...)', 'blur(...)'], ['blur(...)']]
   */
  passes(): Filter[][] {
    return planPasses(this.#filters);
  }

  /** The serialisable spec of this pipeline (what a task carries). */
  toSpec(): PipelineSpec {
    const steps = this.#filters.map((filter) => filter.toJSON());
    return this.#output ? { steps, output: { ...this.#output } } : { steps };
  }

  /**
   * Runs the pipeline on an image (path or encoded bytes) and returns the encoded result.
   *
   * @throws {WorkbookError} the input codes of session 01 (`ERR_FILE_NOT_FOUND`,
   *   `ERR_IMAGE_CORRUPT`, ...), `ERR_ABORTED`, and any filter's errors.
   */
  async run(
    input: string | Buffer,
    options: RunOptions = {},
  ): Promise<{ data: Buffer; info: EncodedInfo }> {
    return this.#execute(input, options.format ?? this.#output?.format, options);
  }

  /**
   * Runs the pipeline and writes the result atomically (temporary file, then rename), so a
   * crash never leaves half an image at `outputPath`. Missing output folders are created.
   */
  async runToFile(
    input: string | Buffer,
    outputPath: string,
    options: RunOptions = {},
  ): Promise<ProcessedImage> {
    const format =
      options.format ??
      this.#output?.format ??
      (path.extname(outputPath) ? formatFromExtension(outputPath) : undefined);
    const { data, info } = await this.#execute(input, format, options);
    await mkdir(path.dirname(outputPath), { recursive: true });
    await writeFileAtomic(outputPath, data);
    return {
      path: outputPath,
      format: info.format,
      width: info.width,
      height: info.height,
      bytes: data.length,
    };
  }

  async #execute(
    input: string | Buffer,
    requestedFormat: OutputFormat | undefined,
    options: RunOptions,
  ): Promise<{ data: Buffer; info: EncodedInfo }> {
    const quality = options.quality ?? this.#output?.quality;
    // Checked before any decoding: a typo in the format should not cost a full pipeline run.
    checkOutput(requestedFormat, quality);
    const plan = this.passes();
    checkAborted(options.signal);
    let image = await openImage(input, options.input);
    const format = requestedFormat ?? (await formatOf(image));
    for (let i = 0; i < plan.length; i++) {
      for (const filter of plan[i]!) image = await filter.apply(image);
      if (i < plan.length - 1) {
        image = await toRawImage(image, i);
        checkAborted(options.signal);
      }
    }
    const encoded = await encodeWithInfo(image, {
      format,
      ...(quality === undefined ? {} : { quality }),
    });
    const { data, width, height, channels } = encoded;
    return { data, info: { format, width, height, channels, bytes: data.length } };
  }
}

/** Refuses an output format or quality the encoder would refuse, before any work is done. */
function checkOutput(format: OutputFormat | undefined, quality: number | undefined): void {
  if (format !== undefined) checkOutputFormat(format);
  if (quality !== undefined) checkInteger('quality', quality, { min: 1, max: 100 });
}

/**
 * Groups filters into passes (see {@link FilterPipeline.passes}). Exported for the tests and
 * for the session's exercises.
 */
export function planPasses(filters: readonly Filter[]): Filter[][] {
  const passes: Filter[][] = [];
  let current: Filter[] = [];
  for (const filter of filters) {
    const passOps = current.flatMap((f) => f.ops);
    if (current.length > 0 && !canJoinPass(passOps, filter.ops)) {
      passes.push(current);
      current = [];
    }
    current.push(filter);
  }
  if (current.length > 0) passes.push(current);
  return passes;
}

/**
 * Ends one pass: runs the queued operations and hands back the pixels, uncompressed, as the
 * start of the next sharp pipeline. No encode, no decode, no disk.
 */
async function toRawImage(image: Sharp, pass: number): Promise<Sharp> {
  try {
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return sharp(data, {
      raw: { width: info.width, height: info.height, channels: info.channels },
    });
  } catch (error) {
    throw await diagnoseImageError(error, image, `Running pass ${pass + 1} of the pipeline`);
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new AbortedError('The pipeline run was aborted', { cause: signal.reason });
}

/** The input's own format if we can write it (a JPEG stays a JPEG), else PNG. */
async function formatOf(image: Sharp): Promise<OutputFormat> {
  try {
    const { format } = await image.metadata(); // reads the header of the opened input only
    return OUTPUT_FORMATS.includes(format as OutputFormat) ? (format as OutputFormat) : 'png';
  } catch (error) {
    throw toImageError(error, 'Reading the format of the input');
  }
}
