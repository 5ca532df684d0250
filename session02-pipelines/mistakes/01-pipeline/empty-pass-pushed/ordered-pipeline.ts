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
    this.#filters.push(filter);
    return this;
  }

  /** The filters grouped into passes, in order. */
  passes(): Filter[][] {
    const passes: Filter[][] = [];
    let current: Filter[] = [];
    for (const filter of this.#filters) {
      const ops = current.flatMap((f) => f.ops);
      if (current.length > 0 && !canJoinPass(ops, filter.ops)) {
        passes.push(current);
        current = [];
      }
      current.push(filter);
    }
    passes.push(current);
    return passes;
  }

  /** Decodes once, runs every pass, hands raw pixels between passes, encodes once. */
  async run(input: string | Buffer, format: OutputFormat): Promise<Buffer> {
    const passes = this.passes();
    let image: Sharp = await openImage(input);
    for (const [index, pass] of passes.entries()) {
      for (const filter of pass) image = await filter.apply(image);
      if (index < passes.length - 1) {
        const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
        image = sharp(data, {
          raw: { width: info.width, height: info.height, channels: info.channels },
        });
      }
    }
    return encode(image, { format });
  }
}
