import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatTable,
  type Measurement,
  measure,
  quantile,
  RssSampler,
  ratio,
  writeBenchJson,
} from '../bench/kit.ts';
import { listBenches } from '../src/bench.ts';
import { tempDir } from './helpers.ts';

function row(name: string, perSecond: number): Measurement {
  return {
    name,
    iterations: 10,
    unit: 'images',
    unitsPerIteration: 1,
    totalMs: 10_000 / perSecond,
    meanMs: 1000 / perSecond,
    medianMs: 1000 / perSecond,
    p95Ms: 1000 / perSecond,
    minMs: 1000 / perSecond,
    maxMs: 1000 / perSecond,
    perSecond,
    peakRssBytes: 64 * 1024 * 1024,
  };
}

describe('measure', () => {
  it('runs warm-up plus timed iterations and derives throughput from the timings', async () => {
    let calls = 0;
    const m = await measure(
      'sum',
      async () => {
        calls++;
        let s = 0;
        for (let i = 0; i < 10_000; i++) s += i;
        return s;
      },
      { iterations: 5, warmup: 2, unitsPerIteration: 4, unit: 'images' },
    );
    expect(calls).toBe(7);
    expect(m.iterations).toBe(5);
    expect(m.perSecond).toBeCloseTo((5 * 4 * 1000) / m.totalMs, 6);
    expect(m.minMs).toBeLessThanOrEqual(m.medianMs);
    expect(m.medianMs).toBeLessThanOrEqual(m.maxMs);
    expect(m.peakRssBytes).toBeGreaterThan(0);
  });

  it('rejects a bad iteration count with the value received', async () => {
    await expect(measure('x', () => {}, { iterations: 0 })).rejects.toThrow(
      'Expected `iterations` to be an integer >= 1, got `0`',
    );
  });

  it('takes nearest-rank quantiles', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBe(0);
  });
});

describe('RssSampler', () => {
  it('keeps the highest sample, including child processes', () => {
    const sampler = new RssSampler({ childPids: () => [process.pid] });
    const total = sampler.sample();
    // Our own pid counted twice: the child part really read /proc (or ps).
    expect(total).toBeGreaterThan(process.memoryUsage().rss * 1.5);
    expect(sampler.peakBytes).toBe(total);
  });
});

describe('formatTable', () => {
  it('shows each row’s throughput relative to the named baseline', () => {
    const rows = [row('naive', 50), row('fused', 125)];
    expect(ratio(rows[1]!, rows[0]!)).toBe(2.5);
    const table = formatTable(rows, { baseline: 'naive', title: 'Pipelines' });
    const lines = table.split('\n');
    expect(lines[0]).toBe('Pipelines');
    expect(lines[2]).toMatch(/images\/s\s+vs baseline\s+peak RSS$/);
    expect(lines[4]).toMatch(/^naive \(baseline\)\s+10\s+20\.0\s+20\.0\s+50\.00\s+1\.00×\s+64 MB$/);
    expect(lines[5]).toMatch(/^fused\s+10\s+8\.0\s+8\.0\s+125\s+2\.50×\s+64 MB$/);
    expect(() => formatTable(rows, { baseline: 'nope' })).toThrow(
      'Expected `baseline` to name a row (naive, fused)',
    );
  });
});

describe('writeBenchJson and the bench list', () => {
  it('writes .bench/<name>.json with when and where it ran', () => {
    using tmp = tempDir();
    const file = writeBenchJson('demo', { rows: [row('a', 1)] }, tmp.dir);
    expect(file).toBe(path.join(tmp.dir, '.bench', 'demo.json'));
    const data = JSON.parse(readFileSync(file, 'utf8'));
    expect(data).toMatchObject({
      name: 'demo',
      node: process.versions.node,
      rows: [{ name: 'a' }],
    });
    expect(Date.parse(data.measuredAt)).not.toBeNaN();
  });

  it('lists benchmarks with their descriptions, without the kit', () => {
    using tmp = tempDir();
    writeFileSync(path.join(tmp.dir, 'kit.ts'), '/** Helpers. */\n');
    writeFileSync(path.join(tmp.dir, 'queue.ts'), '/** Queue throughput: memory vs Redis. */\n');
    expect(listBenches(tmp.dir).map((b) => [b.name, b.description])).toEqual([
      ['queue', 'Queue throughput: memory vs Redis.'],
    ]);
  });
});
