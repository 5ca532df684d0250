import { encode, type Filter, type OutputFormat, openImage } from '@workbook/session01';
import { canJoinPass } from '@workbook/session02';
import sharp, { type Sharp } from 'sharp';

/**
 * A small pipeline that keeps the user's order: filters are grouped into passes (one sharp
 * pipeline each) and the image goes from one pass to the next as raw pixels.
 */
export class OrderedPipeline {
  readonly #filters: Filter[] = [];

  /** Appends a filter and returns the pipeline, so calls can be chained. */
  add(filter: Filter): this {
    throw new Error('🐨 TODO (02.1): add() — store the filter and return this');
  }

  /**
   * The filters grouped into passes, in order: every filter in exactly one pass, as few passes
   * as sharp's order allows (a filter may join a pass when `canJoinPass` says sharp still
   * applies it after everything already in that pass). No filters, no passes.
   */
  passes(): Filter[][] {
    throw new Error('🐨 TODO (02.1): passes() — group the filters into passes');
  }

  /**
   * Runs the pipeline: decodes `input` once with session 01's `openImage` (safe, EXIF
   * orientation applied), runs each pass as one sharp pipeline, hands raw pixels (not an
   * encoded image) from one pass to the next, and encodes once at the end in `format`.
   * @returns the encoded result.
   */
  async run(input: string | Buffer, format: OutputFormat): Promise<Buffer> {
    // 🐨 Your code here (the README's diagram; `pnpm hint 02.1` when stuck).
    throw new Error('🐨 TODO (02.1): run() — one sharp pipeline per pass, raw pixels in between');
  }
}
