/** Runs the JSON pipeline specs in demos/pipelines/ on sample photos: pass plans, outputs, a contact sheet. */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ContactSheetCell, contactSheet, type Filter } from '@workbook/session01';
import {
  FilterFactory,
  type FilterPipeline,
  formatBytes,
  parsePipelineSpec,
  processImage,
} from '@workbook/session02';
import { demoOutDir, done, runMain, step, title } from '@workbook/tools/demo-kit';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';

const SPEC_DIR = fileURLToPath(new URL('./pipelines/', import.meta.url));
const PHOTOS = ['photos/chelsea.png', 'photos/rocket.jpg', 'photos/coffee.png'];

await runMain(async () => {
  rmSync(demoOutDir(import.meta.url), { recursive: true, force: true }); // start clean
  const out = demoOutDir(import.meta.url);
  const factory = new FilterFactory();
  title('Session 02 · pipelines from JSON');
  step(`${factory.names().length} filters known to the factory (factory.describe()):`);
  for (const filter of factory.describe()) {
    const params = filter.params.map(
      (p) => `${p.name}: ${p.allowed}${p.default === undefined ? '' : ` = ${p.default}`}`,
    );
    const shown = params.join('; ') || 'no parameters';
    console.log(`  ${chalk.cyan(filter.name.padEnd(15))} ${chalk.dim(shown)}`);
  }

  const specFiles = readdirSync(SPEC_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const pipelines: Array<{ name: string; pipeline: FilterPipeline }> = [];
  for (const file of specFiles) {
    // Untrusted text → validated spec → runnable pipeline.
    const spec = parsePipelineSpec(readFileSync(path.join(SPEC_DIR, file), 'utf8'), factory);
    const pipeline = factory.createPipeline(spec);
    const name = path.basename(file, '.json');
    pipelines.push({ name, pipeline });
    printPlan(name, pipeline, factory);
  }

  title(`Running ${pipelines.length} pipelines on ${PHOTOS.length} photos`);
  const cells: ContactSheetCell[] = [];
  let written = 0;
  for (const photo of PHOTOS) {
    cells.push({
      caption: `${path.basename(photo)} (original)`,
      image: readFileSync(fixture(photo)),
      highlight: true,
    });
    for (const { name, pipeline } of pipelines) {
      const started = performance.now();
      const ext = pipeline.output?.format === 'jpeg' ? 'jpg' : (pipeline.output?.format ?? 'png');
      const target = path.join(name, `${path.parse(photo).name}.${ext}`);
      // The same call a session 03 worker makes for one task, confined to the two folders.
      const result = await processImage(pipeline.toSpec(), path.basename(photo), target, {
        inputRoot: path.dirname(fixture(photo)),
        outputRoot: out,
        factory,
      });
      written++;
      const ms = (performance.now() - started).toFixed(0);
      console.log(
        `  ${chalk.green('✔')} ${path.basename(photo).padEnd(12)} ${name.padEnd(17)} ` +
          `${`${result.width}x${result.height}`.padEnd(9)} ${result.format.padEnd(5)} ` +
          `${formatBytes(result.bytes).padStart(8)}  ${chalk.dim(`${ms} ms`)}`,
      );
      cells.push({ caption: name, image: readFileSync(result.path) });
    }
  }

  const sheet = path.join(out, 'contact-sheet.png');
  writeFileSync(
    sheet,
    await contactSheet(cells, {
      title: 'session 02 · pipelines from JSON',
      subtitle: 'one row per photo: original, then each spec in demos/pipelines/',
      columns: pipelines.length + 1,
      thumbWidth: 200,
      thumbHeight: 140,
    }),
  );
  done(`${written} images in ${chalk.cyan(path.relative(process.cwd(), out))}/<pipeline>/`);
  done(`contact sheet: ${chalk.cyan(path.relative(process.cwd(), sheet))}`);
  console.log(
    chalk.dim(
      '  Compare blur-then-shrink with shrink-then-blur: same filters, other order, other picture.',
    ),
  );

  title('Specs that are refused (demos/pipelines/invalid/)');
  const invalidDir = path.join(SPEC_DIR, 'invalid');
  for (const file of readdirSync(invalidDir).sort()) {
    try {
      factory.createPipeline(readFileSync(path.join(invalidDir, file), 'utf8'));
      console.log(chalk.red(`  ${file} was accepted, but it should not be`));
      process.exitCode = 1;
    } catch (error) {
      const { code, message } = error as { code: string; message: string };
      console.log(`  ${chalk.yellow(file.padEnd(20))} ${chalk.bold(code)}  ${message}`);
    }
  }
});

/** "pass 1: resize(width=320) + sharpen(sigma=1)": what the planner decided, per pass. */
function printPlan(name: string, pipeline: FilterPipeline, factory: FilterFactory): void {
  const passes = pipeline.passes();
  const steps = pipeline.filters.length;
  const verdict =
    passes.length === 1
      ? chalk.green('1 pass')
      : `${passes.length} passes ${chalk.dim(`(raw pixels in between, ${steps} steps)`)}`;
  console.log(
    `\n${chalk.bold(name)}: ${pipeline.filters.map((f) => f.name).join(' → ')}  ⇒  ${verdict}`,
  );
  passes.forEach((pass, i) => {
    console.log(`  pass ${i + 1}: ${pass.map((f) => short(f, factory)).join(chalk.dim(' + '))}`);
  });
}

/** A filter with only the parameters that differ from their defaults: `blur(sigma=8)`. */
function short(filter: Filter, factory: FilterFactory): string {
  const described = factory.describe().find((d) => d.name === filter.name);
  const changed = Object.entries(filter.params).filter(
    ([key, value]) => described?.params.find((p) => p.name === key)?.default !== value,
  );
  if (changed.length === 0) return filter.name;
  return `${filter.name}(${changed.map(([key, value]) => `${key}=${value}`).join(', ')})`;
}
