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

/** Lines of the same stream in order (the engine may order stdout and stderr either way). */
function byStream(lines: Array<[StreamName, string]>, stream: StreamName) {
  return lines.filter(([s]) => s === stream).map(([, t]) => t);
}

describe('06.3 demultiplexing dockerode logs', () => {
  it('splits the real logs of a container into stdout and stderr lines', async () => {
    const lines = split([await containerLogs()]);
    expect(byStream(lines, 'stdout'), '🚨 stdout lines, whole, without header bytes').toEqual(
      byStream(expected, 'stdout'),
    );
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
      expect(byStream(lines, 'stderr')).toEqual(byStream(expected, 'stderr'));
    }
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
