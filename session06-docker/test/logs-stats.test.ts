/** Decoding what the engine sends: multiplexed log frames, build streams, CPU and memory. */
import {
  BuildStreamDecoder,
  cpuPercent,
  demuxLogs,
  LogDemuxer,
  memoryBytes,
  type RawStats,
} from '@workbook/session06';
import { describe, expect, it } from 'vitest';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('multiplexed logs', () => {
  it('splits stdout and stderr frames into lines, whatever the chunk boundaries', () => {
    const all = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'oops\n'), frame(1, 'o\n')]);
    const demuxer = new LogDemuxer();
    const frames = [];
    for (let i = 0; i < all.length; i += 3) frames.push(...demuxer.push(all.subarray(i, i + 3)));
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', 'one\ntw'],
      ['stderr', 'oops\n'],
      ['stdout', 'o\n'],
    ]);
    expect(demuxLogs(all)).toEqual([
      { stream: 'stdout', text: 'one' },
      { stream: 'stderr', text: 'oops' },
      { stream: 'stdout', text: 'two' },
    ]);
  });
});

describe('build stream', () => {
  it('turns a failed step into ERR_BUILD_FAILED naming the step and its output', () => {
    const decoder = new BuildStreamDecoder();
    decoder.push(
      '{"stream":"Step 1/2 : FROM node:24-bookworm-slim\\n"}\r\n{"stream":" ---\\u003e 4fae\\n"}\r\n',
    );
    decoder.push(
      '{"stream":"Step 2/2 : RUN pnpm fetch\\n"}\r\n{"stream":"ERR_PNPM_FETCH_404\\n"}\r\n',
    );
    decoder.push(
      '{"errorDetail":{"code":1,"message":"The command returned a non-zero code: 1"},"error":"x"}\r\n',
    );
    expect(() => decoder.finish()).toThrow(/step 2\/2: RUN pnpm fetch[\s\S]*ERR_PNPM_FETCH_404/);
    try {
      decoder.finish();
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_BUILD_FAILED');
    }
  });

  it('reports cached steps and the image id', () => {
    const events: string[] = [];
    const decoder = new BuildStreamDecoder((e) => events.push(e.type));
    decoder.push(
      '{"stream":"Step 1/1 : RUN true\\n"}\n{"stream":" ---\\u003e Using cache\\n"}\n{"aux":{"ID":"sha256:abc"}}\n',
    );
    expect(decoder.finish()).toEqual({
      imageId: 'sha256:abc',
      steps: [{ index: 1, total: 1, instruction: 'RUN true', cached: true }],
    });
    expect(events).toEqual(['step', 'cached', 'built']);
  });
});

describe('stats', () => {
  const stats: RawStats = {
    cpu_stats: {
      cpu_usage: { total_usage: 3_000_000_000 },
      system_cpu_usage: 20_000_000_000,
      online_cpus: 2,
    },
    precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 18_000_000_000 },
    memory_stats: {
      usage: 120 * 2 ** 20,
      limit: 512 * 2 ** 20,
      stats: { inactive_file: 20 * 2 ** 20 },
    },
  };
  it('CPU % is the container share of the machine times the CPUs (100 % = one core)', () => {
    expect(cpuPercent(stats)).toBeCloseTo(100);
  });
  it('memory leaves out the page cache the kernel can take back', () => {
    expect(memoryBytes(stats)).toBe(100 * 2 ** 20);
  });
});
