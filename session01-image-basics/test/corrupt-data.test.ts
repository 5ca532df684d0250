/**
 * Damage after the header: a PNG with a bad CRC, a JPEG broken in the middle of its picture or
 * pointing at Huffman tables it never defines. Each reads fine from its header (so it passes the
 * checks made before decoding, as at enqueue time), and each must fail as ERR_IMAGE_CORRUPT —
 * not retryable — when its pixels are decoded, whatever the operation and the output format.
 * Before, sharp's "Warning treated as error due to failOn setting" and an encoder's "unable to
 * write to target" came out as ERR_PROCESSING_FAILED, which a queue retries.
 */
import { fixture } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  damageJpegScan,
  damageJpegTables,
  damagePngChunk,
  encode,
  ImageErrorCodes,
  openImage,
  readImageInfo,
  resizeImage,
  toRaw,
} from '../src/index.ts';

let png: Buffer;
let jpeg: Buffer;
beforeAll(async () => {
  // A real photo: its compressed data is what a bit flip lands in.
  const photo = sharp(fixture('photos/chelsea.png')).resize(120);
  png = await photo.clone().png().toBuffer();
  jpeg = await photo.clone().jpeg({ quality: 85 }).toBuffer();
});

const damaged = () =>
  [
    ['PNG, bad IHDR CRC', damagePngChunk(png, 'IHDR', 'crc'), 'CRC error'],
    ['PNG, bad IDAT CRC', damagePngChunk(png, 'IDAT', 'crc'), ''],
    ['PNG, flipped IDAT byte', damagePngChunk(png, 'IDAT', 'data'), ''],
    ['JPEG, broken in the middle', damageJpegScan(jpeg), 'Corrupt JPEG data'],
    ['JPEG, undefined Huffman table', damageJpegTables(jpeg), 'was not defined'],
  ] as const;

/** The error `work` rejects with (fails the test if it resolves). */
async function failure(work: () => Promise<unknown>) {
  try {
    await work();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the damaged image to fail, but it was processed');
}

describe('damage after the header is ERR_IMAGE_CORRUPT', () => {
  it('the damaged files still read fine from their header (what a check at enqueue sees)', async () => {
    for (const [name, data] of damaged()) {
      const info = await readImageInfo(data);
      expect(info.width, name).toBe(120);
      await expect(openImage(data), name).resolves.toBeDefined(); // complete: nothing to decode yet
    }
  });

  it.each(['png', 'jpeg', 'webp'] as const)(
    'encoding as %s after a resize fails with ERR_IMAGE_CORRUPT and the decoder reason',
    async (format) => {
      for (const [name, data, reason] of damaged()) {
        const error = await failure(async () =>
          encode(resizeImage(await openImage(data), { width: 60 }), { format }),
        );
        expect(error.code, `🚨 ${name} → ${format}: ${error.message}`).toBe(
          ImageErrorCodes.IMAGE_CORRUPT,
        );
        expect(error.message).toMatch(/truncated or corrupt/);
        expect(error.message).toContain(reason);
      }
    },
  );

  it('decoding to raw pixels (what custom filters do) fails the same way', async () => {
    for (const [name, data] of damaged()) {
      const error = await failure(async () => toRaw(await openImage(data)));
      expect(error.code, `${name}: ${error.message}`).toBe(ImageErrorCodes.IMAGE_CORRUPT);
    }
  });

  it("openImage with verify: 'always' refuses them up front", async () => {
    for (const [name, data] of damaged()) {
      const error = await failure(() => openImage(data, { verify: 'always' }));
      expect(error.code, `${name}: ${error.message}`).toBe(ImageErrorCodes.IMAGE_CORRUPT);
    }
  });

  it('an intact image still encodes, and a failure of the operation itself is not blamed on the input', async () => {
    await expect(encode(await openImage(png), { format: 'webp' })).resolves.toBeInstanceOf(Buffer);
    // Taller than JPEG allows (65,500 px): the encoder refuses, the input decodes fine.
    const image = (await openImage(png)).extend({ top: 40_000, bottom: 40_000 });
    const error = await failure(() => encode(image, { format: 'jpeg' }));
    expect(error.code, error.message).toBe(ImageErrorCodes.PROCESSING_FAILED);
  });
});
