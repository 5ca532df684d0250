/**
 * Container logs. Without a TTY the engine sends stdout and stderr on ONE connection, as
 * frames: an 8-byte header, then the payload.
 *
 *   byte 0      stream: 1 stdout, 2 stderr (0 stdin)
 *   bytes 1-3   zero
 *   bytes 4-7   payload length, big-endian uint32
 *
 * A frame can be split across chunks, and a chunk can hold many frames; a line can span
 * frames. {@link LogDemuxer} turns chunks back into frames, {@link LineAssembler} frames into
 * whole lines per stream, {@link followLogs} does both for a container and prefixes each line
 * with the container's name, in a colour of its own.
 * (With `Tty: true` — dockerode's `run()` default — there are no frames: raw bytes, stderr
 * mixed into stdout. The course creates containers with `Tty: false`.)
 */
import chalk, { type ChalkInstance } from 'chalk';
import type Dockerode from 'dockerode';

/** One frame of a multiplexed log stream. */
export interface LogFrame {
  stream: 'stdin' | 'stdout' | 'stderr';
  payload: Buffer;
}

const STREAMS = ['stdin', 'stdout', 'stderr'] as const;
const HEADER_BYTES = 8;

/**
 * Reassembles frames from chunks of a multiplexed stream, whatever the chunk boundaries.
 * @example
 * const demuxer = new LogDemuxer();
 * for await (const chunk of stream) for (const frame of demuxer.push(chunk)) handle(frame);
 */
export class LogDemuxer {
  #buffer: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns the frames it completed (maybe none). */
  push(chunk: Buffer): LogFrame[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    const frames: LogFrame[] = [];
    while (this.#buffer.length >= HEADER_BYTES) {
      const size = this.#buffer.readUInt32BE(4);
      if (this.#buffer.length < HEADER_BYTES + size) break;
      const stream = STREAMS[this.#buffer[0]!] ?? 'stdout';
      frames.push({ stream, payload: this.#buffer.subarray(HEADER_BYTES, HEADER_BYTES + size) });
      this.#buffer = this.#buffer.subarray(HEADER_BYTES + size);
    }
    return frames;
  }

  /** Bytes received that do not make a whole frame yet. */
  get pendingBytes(): number {
    return this.#buffer.length;
  }
}

/** One line of a container's output. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * Splits each stream's payloads into whole lines. A line may span frames, and a frame may end
 * inside a multi-byte character: bytes are kept until the newline, then decoded.
 */
export class LineAssembler {
  readonly #partial: Record<'stdout' | 'stderr', Buffer> = {
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
  };

  /** Adds a frame; returns the lines it completed. */
  push(frame: LogFrame): LogLine[] {
    if (frame.stream === 'stdin') return [];
    const stream = frame.stream;
    let bytes = Buffer.concat([this.#partial[stream], frame.payload]);
    const lines: LogLine[] = [];
    for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a)) {
      lines.push({ stream, text: bytes.subarray(0, nl).toString('utf8').replace(/\r$/, '') });
      bytes = bytes.subarray(nl + 1);
    }
    this.#partial[stream] = bytes;
    return lines;
  }

  /** The unfinished last lines (at the end of the stream). */
  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream].length > 0)
        lines.push({ stream, text: this.#partial[stream].toString('utf8') });
      this.#partial[stream] = Buffer.alloc(0);
    }
    return lines;
  }
}

/** Decodes a whole multiplexed buffer (what `container.logs({ follow: false })` returns). */
export function demuxLogs(buffer: Buffer): LogLine[] {
  const lines = new LineAssembler();
  const out = new LogDemuxer().push(buffer).flatMap((frame) => lines.push(frame));
  return [...out, ...lines.flush()];
}

const PALETTE: ChalkInstance[] = [
  chalk.cyan,
  chalk.magenta,
  chalk.yellow,
  chalk.green,
  chalk.blue,
  chalk.redBright,
  chalk.cyanBright,
  chalk.magentaBright,
];

/** The colour of the `index`-th container's prefix (a fixed palette, round robin). */
export function prefixColour(index: number): ChalkInstance {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/**
 * `name | text`, the name padded to `width` and coloured; stderr lines get a dim `!`.
 * @example prefixLine('imgq-worker-1', { stream: 'stdout', text: 'started' }, chalk.cyan, 14)
 */
export function prefixLine(
  name: string,
  line: LogLine,
  colour: ChalkInstance,
  width = name.length,
): string {
  const mark = line.stream === 'stderr' ? chalk.dim('!') : ' ';
  return `${colour(`${name.padEnd(width)} |`)}${mark}${line.text}`;
}

/** Options of {@link followLogs}. */
export interface FollowLogsOptions {
  /** Keep streaming new output until `signal` aborts or the container stops. @default false */
  follow?: boolean;
  /** Only the last lines of what is there already. @default all */
  tail?: number;
  /** Stops following. */
  signal?: AbortSignal;
  /** Receives each whole line. */
  onLine: (line: LogLine) => void;
}

/**
 * Streams a container's logs (without a TTY), demultiplexed into lines. Resolves when the
 * stream ends: at once without `follow`, else when the container stops or `signal` aborts.
 */
export async function followLogs(
  container: Dockerode.Container,
  options: FollowLogsOptions,
): Promise<void> {
  const stream = (await container.logs({
    follow: (options.follow ?? false) as true,
    stdout: true,
    stderr: true,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
  })) as NodeJS.ReadableStream | Buffer;
  const demuxer = new LogDemuxer();
  const lines = new LineAssembler();
  const emit = (chunk: Buffer) => {
    for (const frame of demuxer.push(chunk))
      for (const line of lines.push(frame)) options.onLine(line);
  };
  if (Buffer.isBuffer(stream)) {
    emit(stream);
  } else {
    const abort = () => (stream as unknown as { destroy(): void }).destroy();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) emit(chunk);
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }
  for (const line of lines.flush()) options.onLine(line);
}
