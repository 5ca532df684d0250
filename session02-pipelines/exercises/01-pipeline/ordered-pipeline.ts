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
    // 🐨 Remember the filter (in #filters) and return `this`.
    throw new Error('🐨 TODO (02.1): add() — store the filter and return this');
  }

  /** The filters grouped into passes, in order. */
  passes(): Filter[][] {
    // 🐨 Walk #filters in order. Keep a `current` pass. A filter joins `current` when
    //    `canJoinPass(opsOfCurrent, filter.ops)` says sharp will still apply it after the
    //    others; otherwise close `current` and start a new pass with this filter.
    // 💰 opsOfCurrent = current.flatMap((f) => f.ops)
    throw new Error('🐨 TODO (02.1): passes() — group the filters into passes');
  }

  /** Decodes once, runs every pass, hands raw pixels between passes, encodes once. */
  async run(input: string | Buffer, format: OutputFormat): Promise<Buffer> {
    // 🐨 1. image = await openImage(input)   (session 01: safe decode)
    //    2. for each pass: image = await filter.apply(image) for its filters;
    //       between passes (not after the last one) turn the image into raw pixels:
    //         const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    //         image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    //    3. return encode(image, { format })
    throw new Error('🐨 TODO (02.1): run() — one sharp pipeline per pass, raw pixels in between');
  }
}
