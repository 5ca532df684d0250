import { encode, type Filter, type OutputFormat, openImage } from '@workbook/session01';
import type { Sharp } from 'sharp';

/**
 * KNOWN-WRONG: chains every filter onto ONE sharp pipeline. It looks right and runs fast, but
 * sharp applies its operations in its own fixed order, so blur → resize is resized first.
 */
export class OrderedPipeline {
  readonly #filters: Filter[] = [];

  add(filter: Filter): this {
    this.#filters.push(filter);
    return this;
  }

  passes(): Filter[][] {
    return this.#filters.length ? [[...this.#filters]] : [];
  }

  async run(input: string | Buffer, format: OutputFormat): Promise<Buffer> {
    let image: Sharp = await openImage(input);
    for (const filter of this.#filters) image = await filter.apply(image);
    return encode(image, { format });
  }
}
