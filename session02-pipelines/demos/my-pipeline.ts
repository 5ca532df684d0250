/** Runs YOUR exercise code (02.1-02.4) as a small batch: your factory, ordered pipeline, limiter and output names. */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinFilters, defineFilter, type Filter, serializeError } from '@workbook/session01';
import {
  FilterFactory,
  FilterPipeline,
  createLimiter as libraryLimiter,
  planPasses,
} from '@workbook/session02';
import { demoOutDir, done, runMain, step, title, warn } from '@workbook/tools/demo-kit';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';
import { OrderedPipeline } from '#ex/01-pipeline/ordered-pipeline.ts';
import { MiniFactory } from '#ex/02-factory-registration/mini-factory.ts';
import { createLimiter } from '#ex/03-batch-concurrency/limiter.ts';
import { outputNameFor, pendingImages } from '#ex/04-output-naming/output-name.ts';
import { TARGET } from '#ex/target.ts';

const PHOTOS = ['chelsea.png', 'coffee.png', 'rocket.jpg', 'astronaut.png', 'coins.png'];
const SPEC = [
  { name: 'blur', params: { sigma: 1.5 } },
  { name: 'resize', params: { width: 320 } },
  { name: 'sharpen' },
  { name: 'sepia' },
];
const NAMING = { pattern: '{name}-{pipeline}.{ext}', pipeline: 'sketch', format: 'webp' } as const;

/** Which code ran each exercise piece: the student's, or a stand-in because it is not done. */
const ran = new Map<string, string>();
/** Pieces that ran a stand-in. */
const standIns = new Set<string>();
/** Whose code `#ex/...` loaded: the student's exercises, or the references with --solution. */
const WHOSE = (TARGET as string) === 'solution' ? 'the reference' : 'your';

/**
 * Runs one exercise piece. When the student's code is still a starter (a 🐨 TODO error) or
 * fails, says so and runs the stand-in instead, so the rest of the demo still shows something.
 */
async function piece<T>(
  exercise: string,
  what: string,
  mine: () => T | Promise<T>,
  standIn: { name: string; run: () => T | Promise<T> },
): Promise<T> {
  try {
    const result = await mine();
    ran.set(exercise, chalk.green(`${WHOSE} ${what}`));
    return result;
  } catch (error) {
    const { code, message } = serializeError(error);
    standIns.add(exercise);
    if (message.includes('TODO')) {
      console.log(`  🐨 ${exercise} ${what}: not done yet — using ${standIn.name} instead`);
      ran.set(exercise, chalk.yellow(`${standIn.name} (yours is not done yet)`));
    } else {
      console.log(`  ${chalk.red('✖')} ${exercise} ${what} failed [${code}]: ${message}`);
      console.log(chalk.dim(`    using ${standIn.name} instead so the demo can go on`));
      ran.set(exercise, chalk.red(`${standIn.name} (yours failed: ${code})`));
    }
    return standIn.run();
  }
}

const posterize = defineFilter({
  name: 'posterize',
  description: 'Black and white at a cut-off',
  params: { value: { type: 'number', min: 1, max: 255, default: 128, description: 'cut-off' } },
  ops: ['threshold'],
  apply: (image, { value }) => image.threshold(value),
}).definition;

const shownPlan = (passes: Filter[][]) =>
  passes.map((pass) => `[${pass.map((f) => f.name).join(', ')}]`).join(' | ');

await runMain(async () => {
  rmSync(demoOutDir(import.meta.url), { recursive: true, force: true });
  const out = demoOutDir(import.meta.url);
  title(`Session 02 · my pipeline — running the ${TARGET} code`);

  step('02.2 a factory: register filters, then build them from a JSON spec');
  const names = ['blur', 'resize', 'sharpen', 'sepia', 'grayscale'] as const;
  const useFactory = (factory: MiniFactory | FilterFactory) => {
    const filters = SPEC.map((spec) => factory.create(spec));
    console.log(`  registered: ${factory.names().join(', ')}`);
    try {
      factory.register({ ...posterize, name: 'Poster Ize' });
      console.log(chalk.red("  ✖ the factory accepted the name 'Poster Ize' (not kebab-case)"));
    } catch (error) {
      console.log(`  'Poster Ize' refused: ${chalk.cyan(serializeError(error).code)}`);
    }
    return filters;
  };
  const filters = await piece(
    '02.2',
    'MiniFactory',
    () => {
      const mine = new MiniFactory();
      for (const name of names) mine.register(builtinFilters[name].definition);
      mine.register(posterize);
      return useFactory(mine);
    },
    { name: "the library's FilterFactory", run: () => useFactory(new FilterFactory()) },
  );
  console.log(`  spec → ${filters.map((f) => f.name).join(' → ')}`);

  step('02.1 an ordered pipeline: the plan, then one photo through it');
  const pipeline = await piece(
    '02.1',
    'OrderedPipeline',
    async () => {
      const mine = new OrderedPipeline();
      for (const filter of filters) mine.add(filter);
      const plan = mine.passes();
      const reference = shownPlan(planPasses(filters));
      const note =
        shownPlan(plan) === reference
          ? chalk.green('same as the library')
          : chalk.red(`library: ${reference}`);
      console.log(`  passes: ${shownPlan(plan)}  ${note}`);
      const first = await mine.run(fixture(`photos/${PHOTOS[0]}`), NAMING.format);
      console.log(`  ${PHOTOS[0]} → ${first.length} bytes of ${NAMING.format}`);
      return (input: string) => mine.run(input, NAMING.format);
    },
    {
      name: "the library's FilterPipeline",
      run: () => {
        console.log(`  passes: ${shownPlan(planPasses(filters))}`);
        const library = new FilterPipeline(filters);
        return async (input: string) => (await library.run(input, { format: NAMING.format })).data;
      },
    },
  );

  step('02.4 output names (pattern {name}-{pipeline}.{ext}) and skip-existing');
  const planned = await piece(
    '02.4',
    'outputNameFor',
    () => PHOTOS.map((photo) => ({ photo, output: outputNameFor(photo, NAMING) })),
    {
      name: 'a stand-in that names every file <name>-sketch.webp',
      run: () =>
        PHOTOS.map((photo) => ({ photo, output: `${path.parse(photo).name}-sketch.webp` })),
    },
  );
  for (const { photo, output } of planned) console.log(`  ${photo} → ${chalk.cyan(output)}`);

  step('02.3 the batch through a limiter of 2, twice (the second run skips what exists)');
  const limit = await piece('02.3', 'createLimiter', () => createLimiter(2), {
    name: "the library's createLimiter",
    run: () => libraryLimiter(2),
  });
  for (const round of [1, 2]) {
    const todo = await piece('02.4 skip', 'pendingImages', () => pendingImages(out, planned), {
      name: 'a stand-in that redoes everything',
      run: () => planned,
    });
    let running = 0;
    let most = 0;
    const written = await Promise.all(
      todo.map(({ photo, output }) =>
        limit(async () => {
          running++;
          most = Math.max(most, running);
          try {
            writeFileSync(path.join(out, output), await pipeline(fixture(`photos/${photo}`)));
            return output;
          } finally {
            running--;
          }
        }),
      ),
    );
    const skipped = planned.length - todo.length;
    const limitNote =
      todo.length === 0
        ? chalk.green('nothing left to do')
        : most <= 2
          ? chalk.green(`at most ${most} at once`)
          : chalk.red(`${most} at once, over the limit of 2`);
    console.log(`  run ${round}: ${written.length} written, ${skipped} skipped, ${limitNote}`);
  }

  title('Which code ran');
  for (const exercise of ['02.1', '02.2', '02.3', '02.4', '02.4 skip'])
    console.log(`  ${exercise.padEnd(9)} ${ran.get(exercise) ?? chalk.dim('not reached')}`);
  done(`outputs in ${chalk.cyan(path.relative(process.cwd(), out))}`);
  if (standIns.size > 0)
    warn('Finish the exercises (pnpm check 02), or compare with: pnpm demo my-pipeline --solution');
});
