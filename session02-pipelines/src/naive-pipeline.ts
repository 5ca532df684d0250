import {
  encode,
  encodeWithInfo,
  type Filter,
  type OutputFormat,
  openImage,
  type SafeInputOptions,
} from '@workbook/session01';
import sharp from 'sharp';
import type { EncodedInfo } from './filter-pipeline.ts';

/** Options of {@link NaivePipeline}. */
export interface NaivePipelineOptions {
  /**
   * Format of the image handed from one step to the next. `png` is lossless, so the naive
   * result equals the fused one up to rounding; `jpeg` shows what a lossy hand-off costs.
   * @default 'png'
   */
  intermediate?: 'png' | 'jpeg';
}

/**
 * The obvious way to chain filters: every step decodes the previous step's image, applies ONE
 * filter and encodes again. Correct (each step is its own sharp pipeline, so the order is the
 * user's) but slow: n steps cost n decodes and n encodes. Kept as the reference the fused
 * {@link FilterPipeline} is compared against, in the tests and in the performance demo.
 *
 * @example
 * const naive = new NaivePipeline([resize({ width: 400 }), blur({ sigma: 2 })]);
 * const { data } = await naive.run('cat.jpg', { format: 'webp' });
 */
export class NaivePipeline {
  readonly #filters: readonly Filter[];
  readonly #intermediate: 'png' | 'jpeg';

  constructor(filters: readonly Filter[], options: NaivePipelineOptions = {}) {
    this.#filters = [...filters];
    this.#intermediate = options.intermediate ?? 'png';
  }

  /** Runs every filter as its own decode → filter → encode step. */
  async run(
    input: string | Buffer,
    options: { format: OutputFormat; quality?: number; input?: SafeInputOptions },
  ): Promise<{ data: Buffer; info: EncodedInfo }> {
    // An empty pipeline still decodes and encodes once (a format conversion).
    const steps: Array<Filter | undefined> = this.#filters.length
      ? [...this.#filters]
      : [undefined];
    let current: Buffer | string = input;
    for (const [i, filter] of steps.entries()) {
      // The first step decodes the user's input through the safety checks; later steps decode
      // our own intermediate, which needs no checks.
      let image = i === 0 ? await openImage(current, options.input) : sharp(current);
      if (filter) image = await filter.apply(image);
      if (i < steps.length - 1) {
        current = await encode(image, { format: this.#intermediate });
        continue;
      }
      const { data, width, height, channels } = await encodeWithInfo(image, {
        format: options.format,
        ...(options.quality === undefined ? {} : { quality: options.quality }),
      });
      return {
        data,
        info: { format: options.format, width, height, channels, bytes: data.length },
      };
    }
    throw new Error('unreachable: there is always at least one step');
  }
}
