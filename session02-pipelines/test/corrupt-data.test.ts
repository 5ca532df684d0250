/**
 * Damaged images through session 02's runners: a PNG with a bad CRC and a JPEG broken in the
 * middle read fine from their header, then fail when decoded. Every runner — one pass, several
 * passes (raw pixels in between), a custom filter, processImage, the naive pipeline and a batch —
 * must report ERR_IMAGE_CORRUPT (non-retryable), never ERR_PROCESSING_FAILED (retryable).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  builtinFilters,
  damageJpegScan,
  damageJpegTables,
  damagePngChunk,
  ImageErrorCodes,
} from '@workbook/session01';
import { fixture } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchProcessor } from '../src/batch-processor.ts';
import { FilterPipeline } from '../src/filter-pipeline.ts';
import { NaivePipeline } from '../src/naive-pipeline.ts';
import type { PipelineSpec } from '../src/pipeline-spec.ts';
import { processImage } from '../src/process-image.ts';

let dir: string;
let samples: Array<[name: string, data: Buffer]>;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'session02-corrupt-'));
  const photo = sharp(fixture('photos/chelsea.png')).resize(160);
  const png = await photo.clone().png().toBuffer();
  const jpeg = await photo.clone().jpeg({ quality: 85 }).toBuffer();
  samples = [
    ['bad-ihdr-crc.png', damagePngChunk(png, 'IHDR', 'crc')],
    ['bad-idat-crc.png', damagePngChunk(png, 'IDAT', 'crc')],
    ['broken-middle.jpg', damageJpegScan(jpeg)],
    ['undefined-table.jpg', damageJpegTables(jpeg)],
  ];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SPECS: Record<string, PipelineSpec> = {
  'one pass to png': { steps: [{ name: 'grayscale' }], output: { format: 'png' } },
  'two passes to webp': {
    steps: [
      { name: 'blur', params: { sigma: 1 } },
      { name: 'resize', params: { width: 40 } },
    ],
    output: { format: 'webp' },
  },
  'custom filter to jpeg': { steps: [{ name: 'edge-sobel' }], output: { format: 'jpeg' } },
  'no steps, to png': { steps: [], output: { format: 'png' } },
};

async function codeOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  return 'processed without an error';
}

describe('damaged images are ERR_IMAGE_CORRUPT in every runner', () => {
  it('FilterPipeline.run, with one pass, several passes and a custom filter', async () => {
    for (const [name, data] of samples) {
      for (const [label, spec] of Object.entries(SPECS)) {
        const outcome = await codeOf(() => FilterPipeline.fromSpec(spec).run(data));
        expect(outcome, `🚨 ${name}, ${label}: a corrupt input must not look retryable`).toMatch(
          /^ERR_IMAGE_CORRUPT: /,
        );
      }
    }
  });

  it('processImage (the job of one task) writes nothing and rejects with ERR_IMAGE_CORRUPT', async () => {
    mkdirSync(path.join(dir, 'in'), { recursive: true });
    for (const [name, data] of samples) {
      writeFileSync(path.join(dir, 'in', name), data);
      for (const [label, spec] of Object.entries(SPECS)) {
        const outcome = await codeOf(() =>
          processImage(spec, name, `${label}-${name}.out`, {
            inputRoot: path.join(dir, 'in'),
            outputRoot: path.join(dir, 'out'),
          }),
        );
        expect(outcome, `🚨 ${name}, ${label}`).toMatch(/^ERR_IMAGE_CORRUPT: /);
      }
    }
    expect(readdirSync(path.join(dir, 'out')), 'no output, not even half of one').toEqual([]);
  });

  it('the naive pipeline reports the same code', async () => {
    const filters = [builtinFilters.resize({ width: 40 }), builtinFilters.blur({ sigma: 1 })];
    for (const [name, data] of samples) {
      const outcome = await codeOf(() => new NaivePipeline(filters).run(data, { format: 'png' }));
      expect(outcome, `🚨 ${name}`).toMatch(/^ERR_IMAGE_CORRUPT: /);
    }
  });

  it('a batch lists each of them under ERR_IMAGE_CORRUPT and still finishes', async () => {
    const inputDir = path.join(dir, 'batch-in');
    mkdirSync(inputDir, { recursive: true });
    for (const [name, data] of samples) writeFileSync(path.join(inputDir, name), data);
    const summary = await new BatchProcessor({
      inputDir,
      outputDir: path.join(dir, 'batch-out'),
      pipeline: SPECS['two passes to webp']!,
      concurrency: 2,
    }).run();
    expect(summary.failed).toBe(samples.length);
    expect(new Set(summary.failures.map((f) => f.code))).toEqual(
      new Set([ImageErrorCodes.IMAGE_CORRUPT]),
    );
  });
});
