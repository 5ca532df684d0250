/**
 * Inputs the system must refuse, built on the spot (see tools/fixtures/README.md): a real
 * decompression bomb, forged headers, cut files, SVG with an external reference. Tests and demos
 * of this and later sessions use them to prove that bad input gets a clear, typed error.
 * Writing a PNG container by hand is what lets us forge headers no well-behaved encoder makes.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { type ImageErrorCode, ImageErrorCodes } from './errors.ts';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG with the given IHDR (1-bit greyscale) and IDAT payload. */
function png(width: number, height: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth 1
  ihdr[9] = 0; // colour type 0: greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A real, valid decompression bomb: a single-colour 1-bit PNG of `side x side` pixels. Its rows
 * are all zeros, which deflate squeezes ~1000:1, so 20000x20000 (400 million pixels, 1.6 GB as
 * decoded RGBA) is about 50 KB on disk.
 */
export function decompressionBombPng(side = 20_000): Buffer {
  const rowBytes = 1 + Math.ceil(side / 8); // filter byte + 1 bit per pixel
  return png(side, side, deflateSync(Buffer.alloc(rowBytes * side), { level: 9 }));
}

/**
 * A tiny PNG whose header claims huge dimensions but whose pixel data is garbage: if anything
 * tried to decode it, it would fail as corrupt, not as too large.
 */
export function forgedHeaderPng(width: number, height: number): Buffer {
  return png(width, height, Buffer.from('not really deflate data'));
}

/** Rewrites the frame size in a baseline JPEG's SOF0 marker (a forged, tiny JPEG header). */
export function forgeJpegSize(jpeg: Buffer, width: number, height: number): Buffer {
  const copy = Buffer.from(jpeg);
  for (let i = 2; i < copy.length - 9; i++) {
    if (copy[i] === 0xff && (copy[i + 1] === 0xc0 || copy[i + 1] === 0xc2)) {
      copy.writeUInt16BE(height, i + 5);
      copy.writeUInt16BE(width, i + 7);
      return copy;
    }
  }
  throw new Error('no SOF marker found in the JPEG');
}

/**
 * A copy of a PNG with one byte flipped in a chunk — a corrupt file whose header still reads
 * fine, so it passes every check made before decoding (`readImageInfo`, `openImage`) and fails
 * only when its pixels are decoded. `part: 'crc'` damages the chunk's checksum, `'data'` a byte
 * in the middle of its data.
 * @param type the chunk to damage: `IHDR` (libpng reports `IHDR: CRC error`), `IDAT`, ...
 * @example const bad = damagePngChunk(await sharp(photo).png().toBuffer(), 'IHDR', 'crc');
 * @throws {Error} when the PNG has no such chunk (or no data in it).
 */
export function damagePngChunk(pngBytes: Buffer, type: string, part: 'crc' | 'data'): Buffer {
  for (let at = 8; at + 12 <= pngBytes.length; ) {
    const length = pngBytes.readUInt32BE(at);
    if (pngBytes.toString('latin1', at + 4, at + 8) === type && (part === 'crc' || length > 0)) {
      const copy = Buffer.from(pngBytes);
      const offset = part === 'crc' ? at + 8 + length : at + 8 + Math.floor(length / 2);
      copy[offset] = copy[offset]! ^ 0x5a;
      return copy;
    }
    at += 12 + length;
  }
  throw new Error(`no ${type} chunk${part === 'data' ? ' with data' : ''} in the PNG`);
}

/**
 * A copy of a baseline JPEG with damage in the middle of its compressed picture (a restart
 * marker where none belongs): the header and the end marker are intact, the decoder stops
 * half-way with `Corrupt JPEG data`.
 * @throws {Error} when the JPEG has no start-of-scan marker.
 */
export function damageJpegScan(jpeg: Buffer): Buffer {
  const sos = markerOffset(jpeg, 0xda);
  const scanStart = sos + 2 + jpeg.readUInt16BE(sos + 2);
  const middle = scanStart + Math.floor((jpeg.length - 2 - scanStart) / 2);
  const copy = Buffer.from(jpeg);
  copy[middle] = 0xff;
  copy[middle + 1] = 0xd5; // RST5, out of sequence
  return copy;
}

/**
 * A copy of a JPEG whose picture asks for Huffman tables the file never defines (the scan
 * header names tables 3 for its first component): the size and format read fine, and libjpeg
 * fails with `Huffman table 0x03 was not defined` once it decodes.
 * @throws {Error} when the JPEG has no start-of-scan marker.
 */
export function damageJpegTables(jpeg: Buffer): Buffer {
  const sos = markerOffset(jpeg, 0xda);
  const copy = Buffer.from(jpeg);
  copy[sos + 6] = 0x33; // first component: DC table 3, AC table 3 (a baseline file uses 0-1)
  return copy;
}

function markerOffset(jpeg: Buffer, marker: number): number {
  for (let i = 2; i < jpeg.length - 3; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1] === marker) return i;
  }
  throw new Error(`no 0xFF${marker.toString(16).toUpperCase()} marker in the JPEG`);
}

/** The first `ratio` of a buffer: a file cut short, like an interrupted upload. */
export function truncateBytes(data: Buffer, ratio = 0.6): Buffer {
  return data.subarray(0, Math.floor(data.length * ratio));
}

/** An SVG that references a file on the server: what `allowSvg: false` exists for. */
export const SVG_WITH_EXTERNAL_REFERENCE = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">
  <image xlink:href="file:///etc/passwd" width="64" height="64"/>
</svg>
`;

/** A harmless, self-contained SVG: a red square on white. */
export const HARMLESS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">
  <rect width="40" height="30" fill="#ffffff"/>
  <rect x="10" y="5" width="20" height="20" fill="#ff0000"/>
</svg>
`;

/** One hostile input and the code `openImage` must refuse it with. */
export interface HostileSample {
  /** Short name, also a sensible file name. */
  name: string;
  /** What it is, for humans. */
  description: string;
  data: Buffer;
  expectedCode: ImageErrorCode;
}

/**
 * A set of hostile inputs, one per refusal `openImage` makes on bytes (missing files and
 * byte limits need a path or an option, so they are not in the list).
 *
 * @example
 * for (const sample of await hostileSamples()) await openImage(sample.data).catch((e) => e.code);
 */
export async function hostileSamples(): Promise<HostileSample[]> {
  const photo = await sharp({
    create: { width: 96, height: 64, channels: 3, background: { r: 40, g: 120, b: 200 } },
  })
    .composite([
      {
        input: { create: { width: 30, height: 30, channels: 3, background: '#fc0' } },
        left: 20,
        top: 20,
      },
    ])
    .jpeg()
    .toBuffer();
  const png = await sharp(photo).png().toBuffer();
  return [
    {
      name: 'empty.jpg',
      description: 'a zero-byte file',
      data: Buffer.alloc(0),
      expectedCode: ImageErrorCodes.EMPTY_INPUT,
    },
    {
      name: 'notes.jpg',
      description: 'a text file named .jpg',
      data: Buffer.from('Shopping list: milk, eggs, bread.\n'),
      expectedCode: ImageErrorCodes.NOT_AN_IMAGE,
    },
    {
      name: 'external-reference.svg',
      description: 'an SVG that embeds file:///etc/passwd',
      data: Buffer.from(SVG_WITH_EXTERNAL_REFERENCE),
      expectedCode: ImageErrorCodes.SVG_NOT_ALLOWED,
    },
    {
      name: 'bomb.png',
      description: `a valid 20000x20000 single-colour PNG`,
      data: decompressionBombPng(20_000),
      expectedCode: ImageErrorCodes.IMAGE_TOO_LARGE,
    },
    {
      name: 'forged-header.png',
      description: 'a tiny PNG whose header claims 100000x100000',
      data: forgedHeaderPng(100_000, 100_000),
      expectedCode: ImageErrorCodes.IMAGE_TOO_LARGE,
    },
    {
      name: 'forged-header.jpg',
      description: 'a tiny JPEG whose header claims 65000x65000',
      data: forgeJpegSize(photo, 65_000, 65_000),
      expectedCode: ImageErrorCodes.IMAGE_TOO_LARGE,
    },
    {
      name: 'truncated.jpg',
      description: 'a JPEG cut at 60% (interrupted upload)',
      data: truncateBytes(photo, 0.6),
      expectedCode: ImageErrorCodes.IMAGE_CORRUPT,
    },
    {
      name: 'truncated.png',
      description: 'a PNG cut at 60%',
      data: truncateBytes(png, 0.6),
      expectedCode: ImageErrorCodes.IMAGE_CORRUPT,
    },
  ];
}
