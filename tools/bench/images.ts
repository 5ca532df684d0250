/**
 * Image pipelines: images/s and peak memory of session 02's FilterPipeline vs hand-written sharp, the naive pipeline and jimp.
 *
 * Two pipelines on generated 1920x1080 JPEGs (fixture photos scaled to full HD, quality 85):
 *   P1  resize to 400 wide → Gaussian blur σ2 → WebP q80
 *   P2  greyscale → 3x3 Laplacian (8 neighbours) → JPEG q80
 * Rows:
 *   sharp (hand-written)  the same operations chained on one sharp() by hand — the baseline
 *   FilterPipeline        session 02: spec → factory → planned passes, with session 01's safe input
 *   NaivePipeline         one decode → filter → lossless PNG per step
 *   jimp                  pure JavaScript (jimp 1.6.1); it cannot encode WebP, so its P1 writes JPEG q80
 * Every row runs the same number of images at once (the concurrency printed at the top);
 * sharp's operation cache is off in every row so repeated inputs are really decoded again.
 * Speed: the three sharp-based rows take turns batch by batch in one process, so load from
 * other processes hits them alike (images/s from the median batch); jimp runs alone.
 * Memory: every row runs once more in a fresh child process, whose peak RSS is reported.
 * Writes .bench/images.json.
 *
 *   pnpm bench images [--seconds 6] [--concurrency N]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FilterFactory,
  type FilterPipeline,
  NaivePipeline,
  type PipelineSpec,
} from '@workbook/session02';
import { fixture } from '@workbook/tools/testkit';
import { Jimp, JimpMime } from 'jimp';
import sharp from 'sharp';
import { formatTable, type Measurement, measure, quantile, ratio, writeBenchJson } from './kit.ts';

const PIPELINES = {
  P1: {
    label: 'P1  resize 400w → blur σ2 → WebP',
    spec: {
      steps: [
        { name: 'resize', params: { width: 400 } },
        { name: 'blur', params: { sigma: 2 } },
      ],
      output: { format: 'webp', quality: 80 },
    },
  },
  P2: {
    label: 'P2  greyscale → 3x3 Laplacian → JPEG',
    spec: {
      steps: [{ name: 'grayscale' }, { name: 'edge-laplacian', params: { diagonals: true } }],
      output: { format: 'jpeg', quality: 80 },
    },
  },
} as const satisfies Record<string, { label: string; spec: PipelineSpec }>;
type PipelineId = keyof typeof PIPELINES;

const LAPLACIAN_8 = [1, 1, 1, 1, -8, 1, 1, 1, 1];
const ROWS = ['sharp (hand-written)', 'FilterPipeline', 'NaivePipeline', 'jimp'] as const;
type Row = (typeof ROWS)[number];

/** One image → encoded bytes, for one row and one pipeline. */
type Runner = (input: Buffer) => Promise<Buffer>;

function runnerFor(row: Row, id: PipelineId): Runner {
  const spec = PIPELINES[id].spec;
  switch (row) {
    case 'sharp (hand-written)':
      return id === 'P1'
        ? (input) => sharp(input).resize({ width: 400 }).blur(2).webp({ quality: 80 }).toBuffer()
        : (input) =>
            sharp(input)
              .greyscale()
              .convolve({ width: 3, height: 3, kernel: LAPLACIAN_8, scale: 1, offset: 0 })
              .jpeg({ quality: 80 })
              .toBuffer();
    case 'FilterPipeline': {
      const pipeline: FilterPipeline = new FilterFactory().createPipeline(spec);
      return async (input) => (await pipeline.run(input)).data;
    }
    case 'NaivePipeline': {
      const filters = new FilterFactory().createPipeline(spec).filters;
      const naive = new NaivePipeline(filters);
      return async (input) => (await naive.run(input, { ...spec.output })).data;
    }
    case 'jimp':
      return id === 'P1'
        ? async (input) => {
            const image = await Jimp.read(input);
            image.resize({ w: 400 }).gaussian(2);
            return image.getBuffer(JimpMime.jpeg, { quality: 80 });
          }
        : async (input) => {
            const image = await Jimp.read(input);
            image.greyscale().convolute([
              [1, 1, 1],
              [1, -8, 1],
              [1, 1, 1],
            ]);
            return image.getBuffer(JimpMime.jpeg, { quality: 80 });
          };
  }
}

/** Four different full-HD JPEGs made from the fixture photos (deterministic). */
async function makeInputs(): Promise<Buffer[]> {
  const photos = [
    'photos/astronaut.png',
    'photos/coffee.png',
    'photos/rocket.jpg',
    'photos/retina.jpg',
  ];
  return Promise.all(
    photos.map((photo) =>
      sharp(fixture(photo)).resize(1920, 1080, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer(),
    ),
  );
}

function argValue(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** `concurrency` images processed at the same time: one timed unit of work. */
function batchOf(run: Runner, inputs: Buffer[], concurrency: number) {
  let next = 0;
  return () =>
    Promise.all(Array.from({ length: concurrency }, () => run(inputs[next++ % inputs.length]!)));
}

/**
 * Child mode `--row`: one row alone, for its peak RSS (and, for jimp, its speed too).
 * The first batch warms up and tells how many fit in the time budget.
 */
async function measureRow(row: Row, id: PipelineId, seconds: number, concurrency: number) {
  sharp.cache(false);
  const batch = batchOf(runnerFor(row, id), await makeInputs(), concurrency);
  const probeStart = performance.now();
  await batch();
  const perBatchMs = performance.now() - probeStart;
  // Slow rows (jimp: seconds per batch) get one or two timed batches; fast rows as many as fit.
  const iterations = Math.max(1, Math.min(200, Math.round((seconds * 1000) / perBatchMs)));
  const result = await measure(row, batch, {
    iterations,
    warmup: perBatchMs > 500 ? 0 : 2,
    unitsPerIteration: concurrency,
    unit: 'images',
  });
  process.stdout.write(`${JSON.stringify([result])}\n`);
}

/**
 * Child mode `--interleaved`: the sharp-based rows take turns batch by batch (A B C, B C A,
 * C A B, ...), so a burst of load from other processes hits every row alike. Speed comes from
 * the median batch, which a single slow batch cannot move.
 */
async function measureInterleaved(id: PipelineId, seconds: number, concurrency: number) {
  sharp.cache(false);
  const inputs = await makeInputs();
  const rows = ROWS.filter((row) => row !== 'jimp');
  const batches = rows.map((row) => batchOf(runnerFor(row, id), inputs, concurrency));
  for (let i = 0; i < 2; i++) for (const batch of batches) await batch(); // warm-up
  const times: number[][] = rows.map(() => []);
  const roundStart = performance.now();
  for (const batch of batches) await batch();
  // A multiple of the row count, so every row goes first equally often.
  const fit = Math.round((seconds * 1000) / (performance.now() - roundStart));
  const rounds = Math.ceil(Math.max(9, fit) / rows.length) * rows.length;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < rows.length; k++) {
      const index = (round + k) % rows.length;
      const started = performance.now();
      await batches[index]!();
      times[index]!.push(performance.now() - started);
    }
  }
  const results = rows.map((row, index): Measurement => {
    const sorted = [...times[index]!].sort((a, b) => a - b);
    const totalMs = sorted.reduce((sum, t) => sum + t, 0);
    const medianMs = quantile(sorted, 0.5);
    return {
      name: row,
      iterations: rounds,
      unit: 'images',
      unitsPerIteration: concurrency,
      totalMs,
      meanMs: totalMs / rounds,
      medianMs,
      p95Ms: quantile(sorted, 0.95),
      minMs: sorted[0]!,
      maxMs: sorted[sorted.length - 1]!,
      perSecond: (concurrency * 1000) / medianMs,
      peakRssBytes: 0, // measured in a process of its own, see measureRow
    };
  });
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

/** Runs this file in child mode and returns the measurements it printed. */
function spawnChild(args: string[]): Measurement[] {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), self, ...args],
    {
      encoding: 'utf8',
      cwd: path.dirname(self),
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('[')) {
    throw new Error(
      `Benchmark child ${args.join(' ')} failed (exit ${child.status}):\n${child.stderr}`,
    );
  }
  return JSON.parse(last) as Measurement[];
}

/** Parent mode: measure every pipeline, print the tables and the targets, write the JSON. */
async function main() {
  const seconds = Number(argValue('--seconds') ?? 6);
  const concurrency = Number(argValue('--concurrency') ?? availableParallelism());
  const common = ['--seconds', String(seconds), '--concurrency', String(concurrency)];
  console.log(
    `Images: 1920x1080 JPEG inputs, ${concurrency} images in flight in every row ` +
      `(os.availableParallelism() = ${availableParallelism()}), sharp ${sharp.versions.sharp} / ` +
      `libvips ${sharp.versions.vips}, sharp cache off.\n` +
      'images/s: sharp-based rows interleaved batch by batch in one process (median batch); ' +
      'jimp alone.\npeak RSS: every row in a fresh process of its own.\n',
  );
  const results: Record<string, { label: string; rows: Measurement[] }> = {};
  for (const id of Object.keys(PIPELINES) as PipelineId[]) {
    const status = (what: string) =>
      process.stdout.write(`${`  measuring ${id}: ${what} …`.padEnd(70)}\r`);
    status('speed of the sharp-based rows (interleaved)');
    const speed = spawnChild(['--interleaved', '--pipeline', id, ...common]);
    const rows: Measurement[] = [];
    for (const row of ROWS) {
      status(`${row} alone`);
      const alone = spawnChild([
        '--row',
        row,
        '--pipeline',
        id,
        ...common,
        '--seconds',
        String(row === 'jimp' ? seconds : 2),
      ])[0]!;
      const interleaved = speed.find((m) => m.name === row);
      rows.push(interleaved ? { ...interleaved, peakRssBytes: alone.peakRssBytes } : alone);
    }
    process.stdout.write(`${' '.repeat(70)}\r`);
    console.log(formatTable(rows, { baseline: ROWS[0], title: PIPELINES[id].label }));
    console.log('');
    results[id] = { label: PIPELINES[id].label, rows };
  }

  const find = (id: PipelineId, row: Row) => results[id]!.rows.find((r) => r.name === row)!;
  const targets = [
    {
      what: 'FilterPipeline ≥ 0.9× hand-written sharp on P1',
      value: ratio(find('P1', 'FilterPipeline'), find('P1', ROWS[0])),
      min: 0.9,
    },
    {
      what: 'FilterPipeline ≥ 0.9× hand-written sharp on P2',
      value: ratio(find('P2', 'FilterPipeline'), find('P2', ROWS[0])),
      min: 0.9,
    },
    {
      what: 'FilterPipeline ≥ 25× jimp on P1',
      value: ratio(find('P1', 'FilterPipeline'), find('P1', 'jimp')),
      min: 25,
    },
  ];
  console.log('Targets');
  for (const target of targets) {
    const ok = target.value >= target.min;
    console.log(`  ${ok ? '✔' : '✗'} ${target.what}: ${target.value.toFixed(2)}×`);
  }
  const file = writeBenchJson('images', { concurrency, seconds, pipelines: results, targets });
  console.log(`\nWrote ${path.relative(process.cwd(), file)}`);
}

const pipelineArg = (argValue('--pipeline') ?? 'P1') as PipelineId;
const secondsArg = Number(argValue('--seconds') ?? 6);
const concurrencyArg = Number(argValue('--concurrency') ?? availableParallelism());
const rowArg = argValue('--row');
if (rowArg) {
  await measureRow(rowArg as Row, pipelineArg, secondsArg, concurrencyArg);
} else if (process.argv.includes('--interleaved')) {
  await measureInterleaved(pipelineArg, secondsArg, concurrencyArg);
} else {
  await main();
}
