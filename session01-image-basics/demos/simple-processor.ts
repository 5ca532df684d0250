/** Applies every built-in filter to sample photos and draws a labelled contact sheet. */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BuiltinFilterName,
  builtinFilters,
  contactSheet,
  encode,
  type Filter,
  openImage,
  readImageInfo,
  serializeError,
  writeImage,
} from '@workbook/session01';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';

const PHOTOS = ['photos/chelsea.png', 'photos/coffee.png', 'photos/rocket.jpg'];
const OUT_DIR = fileURLToPath(new URL('../out/simple-processor/', import.meta.url));

/** Parameters that show each filter off well; the rest use their defaults. */
const SHOWCASE: Partial<Record<BuiltinFilterName, Record<string, unknown>>> = {
  resize: { width: 120 },
  rotate: { angle: 12, background: 'white' },
  blur: { sigma: 4 },
  brightness: { factor: 1.4 },
  contrast: { factor: 1.7 },
  sharpen: { sigma: 2 },
  median: { size: 7 },
  'edge-laplacian': { gain: 4 },
  threshold: { value: 110 },
  saturate: { factor: 2.2 },
  pixelate: { size: 14 },
};

const MAX_CAPTION = 27; // characters that fit under a contact sheet thumbnail at 14 px

interface Result {
  caption: string;
  file: string;
  image: Buffer;
}

async function main() {
  const started = performance.now();
  rmSync(OUT_DIR, { recursive: true, force: true });
  console.log(chalk.bold('Session 01 · simple processor'));
  console.log(
    chalk.dim(`${Object.keys(builtinFilters).length} filters × ${PHOTOS.length} photos\n`),
  );

  const sheets: string[] = [];
  let files = 0;
  for (const photo of PHOTOS) {
    const t0 = performance.now();
    const results = await processPhoto(fixture(photo));
    files += results.length - 1;
    const sheet = path.join(OUT_DIR, `contact-sheet-${stem(photo)}.png`);
    await drawContactSheet(fixture(photo), results, sheet);
    sheets.push(sheet);
    const ms = (performance.now() - t0).toFixed(0);
    console.log(
      `  ${chalk.green('✔')} ${path.basename(photo).padEnd(14)} ${results.length - 1} filters  ${chalk.dim(`${ms} ms`)}`,
    );
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${chalk.bold('Done')} in ${seconds} s: ${files} filtered images and ${sheets.length} contact sheets.`,
  );
  console.log(
    `  images:         ${chalk.cyan(path.relative(process.cwd(), OUT_DIR) || '.')}/<photo>/<filter>.jpg`,
  );
  for (const sheet of sheets)
    console.log(`  contact sheet:  ${chalk.cyan(path.relative(process.cwd(), sheet))}`);
  console.log(
    chalk.dim('\nOpen a contact sheet: the original is top left, then one cell per filter.'),
  );
}

/** Applies every built-in filter to one photo and writes each result as a JPEG. */
async function processPhoto(file: string): Promise<Result[]> {
  const info = await readImageInfo(file);
  const dir = path.join(OUT_DIR, stem(file));
  mkdirSync(dir, { recursive: true });
  const original: Result = {
    caption: `original ${info.displayWidth}×${info.displayHeight} ${info.format}`,
    file,
    image: await encode(await openImage(file), { format: 'png' }),
  };
  const names = Object.keys(builtinFilters) as BuiltinFilterName[];
  const results = await Promise.all(
    names.map(async (name) => {
      const filter = builtinFilters[name](paramsFor(name, info.displayWidth, info.displayHeight));
      const out = path.join(dir, `${name}.jpg`);
      const image = await filter.apply(await openImage(file));
      await writeImage(image, out, { quality: 90 });
      return { caption: caption(filter), file: out, image: await readFile(out) };
    }),
  );
  return [original, ...results];
}

/** The crop depends on the photo: its central half. */
function paramsFor(name: BuiltinFilterName, width: number, height: number) {
  if (name !== 'crop') return SHOWCASE[name] ?? {};
  return {
    left: Math.round(width / 4),
    top: Math.round(height / 4),
    width: Math.round(width / 2),
    height: Math.round(height / 2),
  };
}

/**
 * `blur(sigma=4)`: the filter name with the parameters that differ from their defaults;
 * values only (`rotate(12, white)`) when names would not fit under the thumbnail.
 */
function caption(filter: Filter): string {
  const specs = builtinFilters[filter.name as BuiltinFilterName].definition.params;
  const changed = Object.entries(filter.params).filter(
    ([key, value]) => specs[key]?.default !== value,
  );
  if (changed.length === 0) return filter.name;
  const named = `${filter.name}(${changed.map(([key, value]) => `${key}=${value}`).join(', ')})`;
  return named.length <= MAX_CAPTION
    ? named
    : `${filter.name}(${changed.map(([, v]) => v).join(', ')})`;
}

/** The original and every result in one labelled grid, drawn by the library's contactSheet. */
async function drawContactSheet(photo: string, results: Result[], out: string): Promise<void> {
  const png = await contactSheet(
    results.map((result, i) => ({
      caption: result.caption,
      image: result.image,
      highlight: i === 0,
    })),
    { title: path.basename(photo), subtitle: 'session 01 · every built-in filter', columns: 5 },
  );
  await writeFile(out, png);
}

function stem(file: string): string {
  return path.basename(file, path.extname(file));
}

main().catch((error: unknown) => {
  const { code, message } = serializeError(error);
  console.error(chalk.red(`\n✖ simple-processor failed [${code}]: ${message}`));
  process.exitCode = 1;
});
