/** 06.3 · Demultiplexing a container's logs. */

/** The two output streams of a container. */
export type StreamName = 'stdout' | 'stderr';

/** What {@link createLogSplitter} returns. */
export interface LogSplitter {
  /** Feeds one chunk of the multiplexed stream (any size, cut anywhere). */
  push(chunk: Buffer): void;
  /** The stream ended: emits the last lines that had no newline. */
  end(): void;
}

/**
 * Splits a multiplexed log stream (`Tty: false`) into lines: each frame is an 8-byte header
 * (byte 0: 1 = stdout, 2 = stderr; bytes 4-7: payload length, big-endian) and its payload.
 * Calls `onLine(stream, text)` once per complete line, without the newline.
 */
export function createLogSplitter(onLine: (stream: StreamName, text: string) => void): LogSplitter {
  // 🐨 Keep the bytes that do not make a whole frame yet; for each whole frame, pick the stream
  //    from byte 0 and the payload length from bytes 4-7 (big-endian); keep each stream's
  //    unfinished line until its newline arrives.
  throw new Error('🐨 TODO (06.3): return { push, end } that split the frames into lines');
}

/**
 * One line with its container's name in front, padded to `width`: `worker-1   | text` for
 * stdout, `worker-1   ! text` for stderr.
 */
export function prefixLine(name: string, width: number, stream: StreamName, text: string): string {
  throw new Error(
    '🐨 TODO (06.3): `name` padded to `width`, then `|` (stdout) or `!` (stderr), then the text',
  );
}
