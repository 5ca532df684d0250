/** 06.3 · Demultiplexing a container's logs (reference solution). */

/** The two output streams of a container. */
export type StreamName = 'stdout' | 'stderr';

/** What {@link createLogSplitter} returns. */
export interface LogSplitter {
  /** Feeds one chunk of the multiplexed stream (any size, cut anywhere). */
  push(chunk: Buffer): void;
  /** The stream ended: emits the last lines that had no newline. */
  end(): void;
}

const HEADER = 8;

/**
 * Splits a multiplexed log stream (`Tty: false`) into lines: each frame is an 8-byte header
 * (byte 0: 1 = stdout, 2 = stderr; bytes 4-7: payload length, big-endian) and its payload.
 * Calls `onLine(stream, text)` once per complete line, without the newline.
 */
export function createLogSplitter(onLine: (stream: StreamName, text: string) => void): LogSplitter {
  let pending = Buffer.alloc(0);
  const partial: Record<StreamName, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

  const payload = (stream: StreamName, bytes: Buffer) => {
    let rest = Buffer.concat([partial[stream], bytes]);
    for (let nl = rest.indexOf(0x0a); nl !== -1; nl = rest.indexOf(0x0a)) {
      onLine(stream, rest.subarray(0, nl).toString('utf8'));
      rest = rest.subarray(nl + 1);
    }
    partial[stream] = rest;
  };

  return {
    push(chunk) {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= HEADER) {
        const size = pending.readUInt32BE(4);
        if (pending.length < HEADER + size) break;
        const stream: StreamName | null =
          pending[0] === 1 ? 'stdout' : pending[0] === 2 ? 'stderr' : null;
        if (stream) payload(stream, pending.subarray(HEADER, HEADER + size));
        pending = pending.subarray(HEADER + size);
      }
    },
    end() {
      // Nothing left to read: drop what is buffered.
      partial.stdout = Buffer.alloc(0);
      partial.stderr = Buffer.alloc(0);
    },
  };
}

/**
 * One line with its container's name in front, padded to `width`: `worker-1   | text` for
 * stdout, `worker-1   ! text` for stderr.
 */
export function prefixLine(name: string, width: number, stream: StreamName, text: string): string {
  return `${name.padEnd(width)} ${stream === 'stderr' ? '!' : '|'} ${text}`;
}
