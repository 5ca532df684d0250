/** Feeds openImage every kind of hostile input and shows each refusal with its error code. */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_INPUT_LIMITS,
  hostileSamples,
  openImage,
  type SafeInputOptions,
  serializeError,
} from '@workbook/session01';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';

interface Case {
  name: string;
  description: string;
  input: string | Buffer;
  options?: SafeInputOptions;
  expectedCode: string;
}

async function main() {
  console.log(chalk.bold('Session 01 · safe input: every refusal openImage makes\n'));
  console.log(
    chalk.dim(
      `limits: maxPixels ${DEFAULT_INPUT_LIMITS.maxPixels.toLocaleString('en')}, ` +
        `maxBytes ${(DEFAULT_INPUT_LIMITS.maxBytes / 1024 ** 2).toFixed(0)} MiB, ` +
        `allowSvg ${DEFAULT_INPUT_LIMITS.allowSvg}, autoOrient ${DEFAULT_INPUT_LIMITS.autoOrient}\n`,
    ),
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-safe-input-'));
  try {
    const sparse = path.join(dir, 'huge.jpg');
    writeFileSync(sparse, '');
    truncateSync(sparse, 3 * 1024 ** 3); // 3 GB on paper, no disk used: refused by stat alone
    const cases: Case[] = [
      {
        name: 'missing.jpg',
        description: 'a path that does not exist',
        input: path.join(dir, 'missing.jpg'),
        expectedCode: 'ERR_FILE_NOT_FOUND',
      },
      {
        name: 'huge.jpg',
        description: 'a 3 GB file (sparse), over maxBytes',
        input: sparse,
        expectedCode: 'ERR_INPUT_TOO_LARGE',
      },
      ...(await hostileSamples()).map(({ name, description, data, expectedCode }) => ({
        name,
        description,
        input: data,
        expectedCode,
      })),
      {
        name: 'hostile/truncated.jpg',
        description: 'the course fixture: a real JPEG cut short',
        input: fixture('hostile/truncated.jpg'),
        expectedCode: 'ERR_IMAGE_CORRUPT',
      },
      {
        name: 'rocket.jpg',
        description: 'a good photo, with maxPixels: 100000',
        input: fixture('photos/rocket.jpg'),
        options: { maxPixels: 100_000 },
        expectedCode: 'ERR_IMAGE_TOO_LARGE',
      },
    ];
    let surprises = 0;
    for (const c of cases) {
      const started = performance.now();
      const outcome = await openImage(c.input, c.options).then(
        () => ({ code: 'opened', message: 'no error' }),
        (error: unknown) => serializeError(error),
      );
      const ms = (performance.now() - started).toFixed(0).padStart(4);
      const ok = outcome.code === c.expectedCode;
      if (!ok) surprises++;
      console.log(
        `${ok ? chalk.green('✔') : chalk.red('✖')} ${chalk.bold(c.name.padEnd(24))} ${c.description}`,
      );
      console.log(
        `    ${chalk.yellow(outcome.code.padEnd(22))}${chalk.dim(`${ms} ms`)}  ${outcome.message}\n`,
      );
    }
    const good = await openImage(fixture('photos/chelsea.png'));
    const { width, height } = await good.metadata();
    console.log(
      `${chalk.green('✔')} ${chalk.bold('photos/chelsea.png'.padEnd(24))} a good photo opens: ${width}x${height}`,
    );
    console.log(
      surprises === 0
        ? chalk.green(`\nAll ${cases.length} hostile inputs refused with the expected code.`)
        : chalk.red(`\n${surprises} input(s) did not get the expected code.`),
    );
    if (surprises) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const { code, message } = serializeError(error);
  console.error(chalk.red(`✖ safe-input failed [${code}]: ${message}`));
  process.exitCode = 1;
});
