/** Prints format, size, channels and EXIF orientation of every fixture image, header-only. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type ImageInfo, readImageInfo, serializeError } from '@workbook/session01';
import { FIXTURES_DIR } from '@workbook/tools/testkit';
import chalk from 'chalk';

const FOLDERS = ['photos', 'exif-orientation', 'hostile'];

/** What EXIF orientation N asks a viewer to do to show the stored pixels upright. */
const ORIENTATION_MEANING: Record<number, string> = {
  1: 'upright as stored',
  2: 'mirror left-right',
  3: 'turn 180°',
  4: 'mirror top-bottom',
  5: 'mirror, turn 90° ccw',
  6: 'turn 90° clockwise',
  7: 'mirror, turn 90° cw',
  8: 'turn 90° counter-clockwise',
};

async function main() {
  console.log(chalk.bold('Session 01 · inspect: what the header says, without decoding pixels\n'));
  const header = `${'file'.padEnd(34)}${'format'.padEnd(7)}${'stored'.padStart(11)}${'displayed'.padStart(12)}  ch  alpha ${'size'.padStart(9)}  orientation`;
  console.log(chalk.dim(header));
  for (const folder of FOLDERS) {
    const dir = path.join(FIXTURES_DIR, folder);
    const files = readdirSync(dir)
      .filter((name) => /\.(png|jpe?g)$/i.test(name))
      .sort();
    for (const file of files) {
      const label = `${folder}/${file}`.padEnd(34);
      try {
        console.log(label + row(await readImageInfo(path.join(dir, file))));
      } catch (error) {
        const { code, message } = serializeError(error);
        console.log(label + chalk.red(`${code}: ${message.split('(')[0]}`));
      }
    }
  }
  console.log(
    chalk.dim(
      '\nstored = pixels as written in the file; displayed = after EXIF orientation.\n' +
        'hostile/truncated.jpg is refused even here: its header itself is cut short.\n' +
        'See every refusal with: pnpm demo safe-input',
    ),
  );
}

function row(info: ImageInfo): string {
  const stored = `${info.width}×${info.height}`;
  const displayed = `${info.displayWidth}×${info.displayHeight}`;
  const turned = stored !== displayed;
  const orientation =
    info.orientation === undefined
      ? chalk.dim('none')
      : `${info.orientation} ${chalk.dim(ORIENTATION_MEANING[info.orientation] ?? '')}`;
  return [
    info.format.padEnd(7),
    stored.padStart(11),
    turned ? chalk.yellow(displayed.padStart(12)) : displayed.padStart(12),
    `  ${String(info.channels).padStart(2)}`,
    `  ${(info.hasAlpha ? 'yes' : 'no').padEnd(5)}`,
    `${(info.sizeBytes / 1024).toFixed(0).padStart(6)} KB`,
    `  ${orientation}`,
  ].join('');
}

main().catch((error: unknown) => {
  const { code, message } = serializeError(error);
  console.error(chalk.red(`✖ inspect failed [${code}]: ${message}`));
  process.exitCode = 1;
});
