/** Naive step-by-step vs fused pipeline on generated 1920x1080 images: time per image, as a table. */
import { builtinFilters, type Filter } from '@workbook/session01';
import { FilterPipeline, NaivePipeline } from '@workbook/session02';
import { done, runMain, step, table, title } from '@workbook/tools/demo-kit';
import { fixture } from '@workbook/tools/testkit';
import chalk from 'chalk';
import sharp from 'sharp';

const { resize, blur, sharpen, grayscale, contrast, saturate, invert } = builtinFilters;
const ROUNDS = 2;

/** Pipelines worth comparing: short and long, one pass and several. */
const CASES: Array<{ name: string; filters: Filter[] }> = [
  { name: 'thumbnail', filters: [resize({ width: 400 }), blur({ sigma: 2 })] },
  {
    name: 'web-ready',
    filters: [resize({ width: 1280 }), saturate({ factor: 1.2 }), sharpen({ sigma: 1 })],
  },
  {
    name: 'full-size grade',
    filters: [grayscale(), contrast({ factor: 1.3 }), sharpen({ sigma: 1.5 }), invert()],
  },
  { name: 'blur → shrink', filters: [blur({ sigma: 3 }), resize({ width: 640 })] },
];

await runMain(async () => {
  title('Session 02 · naive vs fused pipelines');
  sharp.cache(false); // every run really decodes its input
  const inputs = await Promise.all(
    ['photos/astronaut.png', 'photos/rocket.jpg'].map((photo) =>
      sharp(fixture(photo)).resize(1920, 1080, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer(),
    ),
  );
  step(`${inputs.length} generated 1920x1080 JPEGs, best of ${ROUNDS} rounds, one image at a time`);

  const rows: Record<string, string | number>[] = [];
  for (const { name, filters } of CASES) {
    const fused = new FilterPipeline(filters);
    const naive = new NaivePipeline(filters);
    const time = async (run: (input: Buffer) => Promise<unknown>) => {
      let best = Number.POSITIVE_INFINITY;
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        for (const input of inputs) await run(input);
        best = Math.min(best, (performance.now() - started) / inputs.length);
      }
      return best;
    };
    const naiveMs = await time((input) => naive.run(input, { format: 'jpeg' }));
    const fusedMs = await time((input) => fused.run(input, { format: 'jpeg' }));
    rows.push({
      pipeline: name,
      steps: filters.length,
      passes: fused.passes().length,
      'naive ms/img': Math.round(naiveMs),
      'fused ms/img': Math.round(fusedMs),
      speedup: `${(naiveMs / fusedMs).toFixed(1)}×`,
    });
  }
  console.log('');
  table(rows);
  console.log(
    chalk.dim(
      '\nnaive: decode → filter → PNG for every step. fused: decode once, raw pixels between\n' +
        'passes, encode once. Full benchmark with images/s and memory: pnpm bench images',
    ),
  );
  done('measured on this machine, in this run');
});
