/** Batch-processes the sample photos (plus hostile files) with a concurrency limit, progress bar and summary. */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BatchProcessor, formatBatchSummary, showBatchProgress } from '@workbook/session02';
import { demoOutDir, done, runMain, step, title, warn } from '@workbook/tools/demo-kit';
import { fixture, fixturePhotos } from '@workbook/tools/testkit';
import chalk from 'chalk';

const concurrency = Number(process.argv[2] ?? 2);

await runMain(async () => {
  rmSync(demoOutDir(import.meta.url), { recursive: true, force: true });
  const out = demoOutDir(import.meta.url);
  const input = mkdtempSync(path.join(tmpdir(), 'session02-batch-'));
  try {
    title('Session 02 · batch processing');
    // The sample photos, plus files that must fail without stopping the batch.
    for (const photo of fixturePhotos())
      copyFileSync(photo, path.join(input, path.basename(photo)));
    copyFileSync(fixture('hostile/truncated.jpg'), path.join(input, 'truncated.jpg'));
    writeFileSync(path.join(input, 'not-really.png'), 'This is a text file with an image name.\n');
    step(`input: ${chalk.cyan(input)} (${readdirSync(input).length} files, 2 of them hostile)`);
    step(`output: ${chalk.cyan(path.relative(process.cwd(), out))}, concurrency ${concurrency}`);

    const batch = new BatchProcessor({
      inputDir: input,
      outputDir: out,
      pipeline: {
        steps: [
          { name: 'resize', params: { width: 480 } },
          { name: 'saturate', params: { factor: 1.3 } },
          { name: 'sharpen', params: { sigma: 1 } },
        ],
        output: { format: 'webp', quality: 80 },
      },
      pipelineName: 'web',
      concurrency,
    });
    const failedFiles: string[] = [];
    batch.on('failed', (result) => failedFiles.push(result.input)); // events, past tense
    showBatchProgress(batch); // a bar on a terminal, one line per image in a pipe or a log
    const summary = await batch.run();

    title('Summary');
    process.stdout.write(formatBatchSummary(summary));
    if (failedFiles.length)
      warn(`${failedFiles.join(', ')} failed; every other image was processed`);
    done(
      `outputs named {name}-{pipeline}.{ext}, e.g. ${chalk.cyan(summary.results.find((r) => r.status === 'completed')?.output ?? '')}`,
    );

    step('Run it again with skipExisting: nothing is redone');
    const again = await new BatchProcessor({
      inputDir: input,
      outputDir: out,
      pipeline: { steps: [{ name: 'resize', params: { width: 480 } }], output: { format: 'webp' } },
      pipelineName: 'web',
      skipExisting: true,
      concurrency,
    }).run();
    done(`${again.skipped} skipped, ${again.succeeded} processed, ${again.failed} failed again`);
    if (summary.failed !== 2)
      throw new Error(`expected exactly the 2 hostile files to fail, got ${summary.failed}`);
  } finally {
    rmSync(input, { recursive: true, force: true });
  }
});
