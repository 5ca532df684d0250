/** Runs YOUR exercise code (01.1-01.4) on a photo and draws the results on a contact sheet. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ContactSheetCell,
  contactSheet,
  encode,
  fromRaw,
  openImage,
  serializeError,
  toRaw,
} from '@workbook/session01';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';
import type { Sharp } from 'sharp';
import { grayscaleThumbnail } from '#ex/01-grayscale-thumbnail/thumbnail.ts';
import { brightnessOffsetFilter } from '#ex/02-brightness/brightness.ts';
import { laplacianEdges, sobelEdges } from '#ex/03-edge-detection/edges.ts';
import { vignetteFilter } from '#ex/04-my-filter/vignette.ts';
import { TARGET } from '#ex/target.ts';

const PHOTO = fixture('photos/coffee.png');
const OUT = fileURLToPath(new URL('../out/my-filters/contact-sheet.png', import.meta.url));

/** One result to show: the exercise it comes from and how to make it. */
interface Step {
  exercise: string;
  caption: string;
  make: () => Promise<Buffer>;
}

const STEPS: Step[] = [
  {
    exercise: '01.1',
    caption: 'grayscaleThumbnail 160',
    make: () => grayscaleThumbnail(PHOTO, { width: 160, height: 160, format: 'png' }),
  },
  {
    exercise: '01.2',
    caption: 'brightness-offset +70',
    make: async () =>
      png(await brightnessOffsetFilter({ amount: 70 }).apply(await openImage(PHOTO))),
  },
  {
    exercise: '01.2',
    caption: 'brightness-offset −70',
    make: async () =>
      png(await brightnessOffsetFilter({ amount: -70 }).apply(await openImage(PHOTO))),
  },
  {
    exercise: '01.3',
    caption: 'laplacianEdges',
    make: async () => png(fromRaw(laplacianEdges(await greyPixels()))),
  },
  {
    exercise: '01.3',
    caption: 'sobelEdges',
    make: async () => png(fromRaw(sobelEdges(await greyPixels()))),
  },
  {
    exercise: '01.4',
    caption: 'vignette (0.8)',
    make: async () => png(await vignetteFilter({ strength: 0.8 }).apply(await openImage(PHOTO))),
  },
];

async function main() {
  console.log(chalk.bold(`Session 01 · my filters — running the ${TARGET} code\n`));
  const cells: ContactSheetCell[] = [
    { caption: 'original', image: await png(await openImage(PHOTO)), highlight: true },
  ];
  let done = 0;
  for (const step of STEPS) {
    try {
      cells.push({ caption: step.caption, image: await step.make() });
      done++;
      console.log(`  ${chalk.green('✔')} ${step.exercise} ${step.caption}`);
    } catch (error) {
      const { code, message } = serializeError(error);
      const todo = message.includes('TODO');
      cells.push({
        caption: step.caption,
        placeholder: todo ? `TODO: exercise ${step.exercise}` : `failed: ${code}`,
      });
      const note = todo ? chalk.yellow('not done yet') : chalk.red(`${code}: ${message}`);
      console.log(`  ${todo ? '🐨' : chalk.red('✖')} ${step.exercise} ${step.caption}  ${note}`);
    }
  }
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    await contactSheet(cells, { title: 'my filters', subtitle: `${TARGET} code`, columns: 4 }),
  );
  console.log(
    `\n${done}/${STEPS.length} results drawn. Contact sheet: ${chalk.cyan(path.relative(process.cwd(), OUT))}`,
  );
  if (done < STEPS.length)
    console.log(
      chalk.dim(
        'Finish the exercises (pnpm check 01), or compare with: pnpm demo my-filters --solution',
      ),
    );
}

async function png(image: Sharp): Promise<Buffer> {
  return encode(image, { format: 'png' });
}

async function greyPixels() {
  return toRaw((await openImage(PHOTO)).greyscale());
}

main().catch((error: unknown) => {
  const { code, message } = serializeError(error);
  console.error(chalk.red(`✖ my-filters failed [${code}]: ${message}`));
  process.exitCode = 1;
});
