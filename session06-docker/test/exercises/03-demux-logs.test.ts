/**
 * 06.3 checks: the student's log splitter on the real logs of a real container.
 */
import { NODE_BASE_IMAGE } from '@workbook/session06';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogSplitter, prefixLine, type StreamName } from '#ex/03-demux-logs/demux.ts';
import { cleanup, docker, RUN_ID } from '../support.ts';

const LONG = 'x'.repeat(40_000);
const SCRIPT = `
  const out = (s) => process.stdout.write(s), err = (s) => process.stderr.write(s);
  out('one\\n'); err('warn: two\\n'); out('thr'); out('ee 🐳\\n');
  err('${'e'.repeat(10)}\\n'); out('${LONG}\\n'); out('last line without newline');
`;
const expected: Array<[StreamName, string]> = [
  ['stdout', 'one'],
  ['stderr', 'warn: two'],
  ['stdout', 'three 🐳'],
  ['stderr', 'e'.repeat(10)],
  ['stdout', LONG],
  ['stdout', 'last line without newline'],
];

let logs: Promise<Buffer> | undefined;
/** The raw logs of a real container, read once (each test awaits them: no engine → each fails). */
function containerLogs(): Promise<Buffer> {
  logs ??= (async () => {
    const { checkEngine } = await import('@workbook/session06');
    await checkEngine(docker);
    const container = await docker.createContainer({
      Image: NODE_BASE_IMAGE,
      Cmd: ['node', '-e', SCRIPT],
      Tty: false,
      Labels: { 'io.workbook.run': RUN_ID },
    });
    await container.start();
    await container.wait();
    const buffer = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    await container.remove({ v: true });
    return buffer;
  })();
  return logs;
}
afterAll(cleanup);

function split(chunks: Buffer[]) {
  const lines: Array<[StreamName, string]> = [];
  const splitter = createLogSplitter((stream, text) => lines.push([stream, text]));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

function chunked(buffer: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, i + size));
  return chunks;
}

/** One frame of the multiplexed stream: 8-byte header (stream, 0, 0, 0, length BE) + payload. */
function frame(stream: StreamName, payload: Buffer | string): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Lines of the same stream in order (the engine may order stdout and stderr either way). */
function byStream(lines: Array<[StreamName, string]>, stream: StreamName) {
  return lines.filter(([s]) => s === stream).map(([, t]) => t);
}

describe('06.3 demultiplexing dockerode logs', () => {
  it('splits the real logs of a container into stdout and stderr lines', async () => {
    const lines = split([await containerLogs()]);
    expect(
      byStream(lines, 'stdout'),
      '🚨 the stdout lines, whole, in order, without header bytes (byte 0 of each header: 1 = stdout, 2 = stderr)',
    ).toEqual(byStream(expected, 'stdout'));
    expect(byStream(lines, 'stderr'), '🚨 stderr lines go to stderr').toEqual(
      byStream(expected, 'stderr'),
    );
  });

  it('gives the same lines when the stream arrives in small chunks, and one byte at a time', async () => {
    const raw = await containerLogs();
    for (const size of [7, 1]) {
      const lines = split(chunked(raw, size));
      expect(
        byStream(lines, 'stdout'),
        `🚨 chunks of ${size} byte(s): keep partial frames and lines`,
      ).toEqual(byStream(expected, 'stdout'));
      expect(
        byStream(lines, 'stderr'),
        `🚨 chunks of ${size} byte(s): the stderr lines, whole`,
      ).toEqual(byStream(expected, 'stderr'));
    }
  });

  it('reads the payload length from bytes 4-7, big-endian (a 300-byte frame)', () => {
    const line = 'a'.repeat(299);
    expect(
      split([frame('stdout', `${line}\n`)]),
      '🚨 one 300-byte frame gave other lines: its length is bytes 4-7 read big-endian (readUInt32BE(4))',
    ).toEqual([['stdout', line]]);
  });

  it('byte 0 picks the stream: 1 is stdout, 2 is stderr', () => {
    expect(
      split([frame('stdout', 'out\n'), frame('stderr', 'err\n')]),
      '🚨 byte 0 of each header picks the stream: 1 = stdout, 2 = stderr (keep stderr out of stdout)',
    ).toEqual([
      ['stdout', 'out'],
      ['stderr', 'err'],
    ]);
  });

  it('each stream keeps its own unfinished line', () => {
    const lines = split([
      frame('stdout', 'par'),
      frame('stderr', 'warn\n'),
      frame('stdout', 'tial\n'),
    ]);
    expect(
      lines,
      '🚨 each stream keeps its own unfinished line: stdout "par" + "tial" is one line, whatever stderr wrote in between',
    ).toContainEqual(['stdout', 'partial']);
  });

  it('decodes a line once it is whole: a frame may end inside a multi-byte character', () => {
    const fish = Buffer.from('🐟', 'utf8'); // 4 bytes
    const lines = split([
      frame('stdout', Buffer.concat([Buffer.from('fish '), fish.subarray(0, 2)])),
      frame('stdout', Buffer.concat([fish.subarray(2), Buffer.from('\n')])),
    ]);
    expect(
      lines,
      '🚨 decode a line once it is whole, not frame by frame: 🐟 (4 bytes) was cut between two frames',
    ).toEqual([['stdout', 'fish 🐟']]);
  });

  it('end() emits the last line of each stream that had no newline', () => {
    const lines = split([frame('stdout', 'bye'), frame('stderr', 'oops')]);
    expect(
      [byStream(lines, 'stdout'), byStream(lines, 'stderr')],
      '🚨 end(): the stream ended, so the last line of each stream without a newline must still be emitted',
    ).toEqual([['bye'], ['oops']]);
  });

  it('prefixes each line with the container name, | for stdout and ! for stderr', () => {
    expect(
      prefixLine('worker-1', 10, 'stdout', 'started'),
      '🚨 name padded to the width, then |',
    ).toBe('worker-1   | started');
    expect(prefixLine('redis', 10, 'stderr', 'oops'), '🚨 stderr lines get !').toBe(
      'redis      ! oops',
    );
  });
});
