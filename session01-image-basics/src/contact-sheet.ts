import sharp from 'sharp';
import { checkInteger } from './check-option.ts';
import { describeValue, InvalidOptionError } from './errors.ts';
import { toImageError } from './sharp-errors.ts';

/** One cell of a contact sheet: an encoded image, or a placeholder text when there is none. */
export interface ContactSheetCell {
  /** Shown under the thumbnail (keep it under ~28 characters). */
  caption: string;
  /** Any encoded image sharp reads (PNG, JPEG, …). Leave it out to show `placeholder`. */
  image?: Buffer;
  /** Text drawn in the cell instead of an image, e.g. why it is missing. */
  placeholder?: string;
  /** Draw the cell's frame and caption in the accent colour (e.g. the original). @default false */
  highlight?: boolean;
}

/** Options of {@link contactSheet}. */
export interface ContactSheetOptions {
  /** Big title at the top left. */
  title: string;
  /** Smaller text at the top right. @default '' */
  subtitle?: string;
  /** Cells per row. @default 5 */
  columns?: number;
  /** Size of each thumbnail box; images are fitted inside it, never enlarged. @default 224x150 */
  thumbWidth?: number;
  thumbHeight?: number;
}

const PAD = 12;
const CAPTION = 22;
const TITLE = 56;
const COLOURS = {
  background: '#1f1f1f',
  text: '#e8e8e8',
  dim: '#9a9a9a',
  frame: '#3a3a3a',
  accent: '#ffd479',
};

/**
 * Draws a labelled grid of images as a PNG: a quick way to look at many results at once.
 * Captions are rendered by sharp from an SVG text layer (fonts: DejaVu Sans, Helvetica, Arial).
 *
 * @example
 * const png = await contactSheet(
 *   [{ caption: 'original', image: before, highlight: true }, { caption: 'blur(sigma=4)', image: after }],
 *   { title: 'chelsea.png' },
 * );
 * @throws {InvalidOptionError} for no cells or bad sizes; {@link toImageError} codes when a cell's
 * image cannot be decoded.
 */
export async function contactSheet(
  cells: readonly ContactSheetCell[],
  options: ContactSheetOptions,
): Promise<Buffer> {
  const { title, subtitle = '', columns = 5, thumbWidth = 224, thumbHeight = 150 } = options;
  if (!Array.isArray(cells) || cells.length === 0) {
    throw new InvalidOptionError(
      `Expected at least one contact sheet cell, got ${describeValue(cells)}`,
    );
  }
  checkInteger('columns', columns, { min: 1, max: 50 });
  checkInteger('thumbWidth', thumbWidth, { min: 1, max: 2000 });
  checkInteger('thumbHeight', thumbHeight, { min: 1, max: 2000 });
  const cell = { width: thumbWidth + 2 * PAD, height: thumbHeight + CAPTION + 2 * PAD };
  const width = Math.min(columns, cells.length) * cell.width + PAD;
  const height = TITLE + Math.ceil(cells.length / columns) * cell.height + PAD;
  const boxes = cells.map((_, i) => ({
    x: PAD + (i % columns) * cell.width + PAD / 2,
    y: TITLE + Math.floor(i / columns) * cell.height + PAD / 2,
  }));
  const thumbnails = await Promise.all(
    cells.map(async (c, i) => {
      if (!c.image) return null;
      const box = boxes[i]!;
      try {
        const { data, info } = await sharp(c.image)
          .resize({
            width: thumbWidth,
            height: thumbHeight,
            fit: 'inside',
            withoutEnlargement: true,
          })
          .png()
          .toBuffer({ resolveWithObject: true });
        // Centred in its box: a resize or a crop is smaller than the box.
        return {
          input: data,
          left: box.x + Math.floor((thumbWidth - info.width) / 2),
          top: box.y + Math.floor((thumbHeight - info.height) / 2),
        };
      } catch (error) {
        throw toImageError(error, `drawing the contact sheet cell \`${c.caption}\``);
      }
    }),
  );
  const svg = textLayer(cells, boxes, { width, height, title, subtitle, thumbWidth, thumbHeight });
  try {
    return await sharp({ create: { width, height, channels: 3, background: COLOURS.background } })
      .composite([
        ...thumbnails.filter((t) => t !== null),
        { input: Buffer.from(svg), left: 0, top: 0 },
      ])
      .png()
      .toBuffer();
  } catch (error) {
    throw toImageError(error, 'drawing the contact sheet');
  }
}

function textLayer(
  cells: readonly ContactSheetCell[],
  boxes: { x: number; y: number }[],
  layout: {
    width: number;
    height: number;
    title: string;
    subtitle: string;
    thumbWidth: number;
    thumbHeight: number;
  },
): string {
  const { width, height, title, subtitle, thumbWidth, thumbHeight } = layout;
  const parts = cells.map((c, i) => {
    const { x, y } = boxes[i]!;
    const colour = c.highlight ? COLOURS.accent : COLOURS.text;
    const placeholder = c.image
      ? ''
      : `<text x="${x + thumbWidth / 2}" y="${y + thumbHeight / 2 + 5}" text-anchor="middle" fill="${COLOURS.dim}" font-size="14">${escapeXml(c.placeholder ?? '')}</text>`;
    return `<rect x="${x - 1}" y="${y - 1}" width="${thumbWidth + 2}" height="${thumbHeight + 2}" fill="none" stroke="${c.highlight ? COLOURS.accent : COLOURS.frame}"/>
      ${placeholder}
      <text x="${x + thumbWidth / 2}" y="${y + thumbHeight + 18}" text-anchor="middle" fill="${colour}" font-size="14">${escapeXml(c.caption)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <style>text { font-family: 'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif; }</style>
    <text x="${PAD * 1.5}" y="34" font-size="24" font-weight="bold" fill="${COLOURS.text}">${escapeXml(title)}</text>
    <text x="${width - PAD * 1.5}" y="34" font-size="14" text-anchor="end" fill="${COLOURS.dim}">${escapeXml(subtitle)}</text>
    ${parts.join('\n')}
  </svg>`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
