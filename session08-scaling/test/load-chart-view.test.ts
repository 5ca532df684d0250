/**
 * The pure pieces around the local autoscaler: load shapes, the compressed clock, worker-seconds,
 * the live view and the chart (an SVG that sharp turns into a PNG).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { QueueInspector } from '@workbook/session05';
import { testRedis } from '@workbook/tools/testkit';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadMain, parsePattern } from '../src/cli/load.ts';
import {
  type AutoscalerSnapshot,
  CompressedClock,
  checkPattern,
  patternTotal,
  type ReplicaInfo,
  renderAutoscalerLine,
  renderAutoscalerView,
  scalingChartSvg,
  type TimelineDecision,
  type TimelineSample,
  tasksDueBy,
  workerSeconds,
  writeScalingChart,
} from '../src/index.ts';

describe('load shapes', () => {
  it('a burst sends everything at once', () => {
    expect(tasksDueBy({ kind: 'burst', count: 30 }, 0)).toBe(30);
    expect(patternTotal({ kind: 'burst', count: 30 })).toBe(30);
  });

  it('a steady rate sends rate × seconds, whole tasks, and stops at the end', () => {
    const steady = { kind: 'steady', rate: 4, durationMs: 10_000 } as const;
    expect([0, 250, 2_500, 9_999, 10_000, 60_000].map((t) => tasksDueBy(steady, t))).toEqual([
      0, 1, 10, 39, 40, 40,
    ]);
  });

  it('a sine rate integrates to mean × duration over whole periods, and clips at 0', () => {
    const sine = {
      kind: 'sine',
      mean: 5,
      amplitude: 3,
      periodMs: 10_000,
      durationMs: 20_000,
    } as const;
    expect(tasksDueBy(sine, 20_000)).toBeGreaterThanOrEqual(99);
    expect(tasksDueBy(sine, 20_000)).toBeLessThanOrEqual(100);
    // The first half-period is above the mean, the second below.
    expect(tasksDueBy(sine, 5_000)).toBeGreaterThan(25 + 5);
    const clipped = {
      kind: 'sine',
      mean: 1,
      amplitude: 4,
      periodMs: 10_000,
      durationMs: 10_000,
    } as const;
    expect(
      tasksDueBy(clipped, 10_000),
      'negative rates send nothing, they do not cancel tasks',
    ).toBeGreaterThan(10);
  });

  it('is monotonic: never fewer tasks later', () => {
    const sine = {
      kind: 'sine',
      mean: 2,
      amplitude: 2,
      periodMs: 3_000,
      durationMs: 9_000,
    } as const;
    const counts = Array.from({ length: 91 }, (_, i) => tasksDueBy(sine, i * 100));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it('bad patterns are refused with the field named', () => {
    expect(() => checkPattern({ kind: 'burst', count: 0 })).toThrow(/`count`/);
    expect(() => checkPattern({ kind: 'steady', rate: -1, durationMs: 5 })).toThrow(/`rate`/);
    expect(() => checkPattern({ kind: 'wave' } as never)).toThrow(/`kind` to be one of/);
  });
});

describe('the compressed clock', () => {
  it('runs factor × faster than the wall clock', () => {
    let wall = 1_000;
    const clock = new CompressedClock(20, () => wall);
    wall += 750;
    expect(clock.now()).toBe(15_000); // one HPA sync period in 0.75 s
    expect(clock.toWallMs(300_000)).toBe(15_000);
    expect(() => new CompressedClock(0)).toThrow(/timeScale/);
  });
});

describe('worker-seconds', () => {
  const replica = (startedAt: number, exitedAt: number | null): ReplicaInfo => ({
    id: 'w',
    handle: '1',
    state: exitedAt === null ? 'ready' : 'exited',
    startedAt,
    readyAt: null,
    stoppingAt: null,
    exitedAt,
    exitCode: null,
    completed: null,
  });

  it('counts each replica from start to exit, clipped to the interval', () => {
    const replicas = [replica(0, 10_000), replica(5_000, null), replica(-5_000, 2_000)];
    expect(workerSeconds(replicas, 0, 20_000)).toBe(10 + 15 + 2);
  });
});

const sample = (t: number, pending: number, desired: number, ready: number): TimelineSample => ({
  t,
  model: t * 20,
  pending,
  processing: Math.min(ready, pending),
  completed: 0,
  dlq: 0,
  replicas: { desired, starting: desired - ready, ready, draining: 0, existing: desired },
});
const samples = [
  sample(0, 0, 0, 0),
  sample(1_000, 40, 5, 0),
  sample(5_000, 20, 5, 5),
  sample(12_000, 0, 0, 0),
];
const decisions: TimelineDecision[] = [
  { t: 1_000, model: 20_000, from: 0, to: 5, source: 'hpa', reason: 'queue above target' },
  { t: 12_000, model: 240_000, from: 5, to: 0, source: 'keda', reason: 'cooldown' },
];

describe('live view', () => {
  const snapshot: AutoscalerSnapshot = {
    sample: samples[2]!,
    step: {
      at: 0,
      desiredReplicas: 5,
      changed: false,
      source: null,
      reason: 'active (list length 20 > activation 0): the HPA scales 1..N',
    },
    lastDecision: decisions[0]!,
    timeScale: 20,
    driverKind: 'process',
  };

  it('shows the depth, the replicas, the last decision and its reason', () => {
    const text = stripVTControlCharacters(
      renderAutoscalerView(snapshot, {
        queue: 'images',
        width: 120,
        events: ['0:02 autoscaled-1 ready'],
      }),
    );
    expect(text).toMatch(/pending {3}20/);
    expect(text).toMatch(/desired {2}5 {3}ready {2}5/);
    expect(text).toMatch(/0 → 5 {2}HPA +queue above target/);
    expect(text).toMatch(/autoscaled-1 ready/);
    expect(text).toMatch(/time ×20/);
  });

  it('one line for logs', () => {
    expect(renderAutoscalerLine(snapshot)).toMatch(
      /^0:05 pending 20 processing 5 done 0 \| replicas 5 desired, 5 ready/,
    );
  });
});

describe('the chart', () => {
  it('draws both axes, the four series and every decision', () => {
    const svg = scalingChartSvg(samples, decisions, { title: 'burst', timeScale: 20 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)?.length).toBe(4);
    expect(svg).toContain('0→5 HPA');
    expect(svg).toContain('5→0 KEDA');
    expect(svg).toContain('desired replicas');
  });

  it('writes an SVG and a PNG that sharp renders from it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'session08-chart-'));
    try {
      const files = await writeScalingChart(path.join(dir, 'run'), samples, decisions, {
        width: 800,
        height: 400,
      });
      const meta = await sharp(files.png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 400]);
      expect(statSync(files.svg).size).toBeGreaterThan(500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pnpm load (the command line)', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: { write: (t: string) => (out.stdout += t) },
        stderr: { write: (t: string) => (out.stderr += t) },
      },
    };
  };

  it('parses the three patterns', () => {
    expect(parsePattern(['burst', '50'], {})).toEqual({ kind: 'burst', count: 50 });
    expect(parsePattern(['steady'], { rate: '2.5', seconds: '10' })).toEqual({
      kind: 'steady',
      rate: 2.5,
      durationMs: 10_000,
    });
    expect(
      parsePattern(['sine'], { mean: '4', amplitude: '3', period: '20', seconds: '60' }),
    ).toEqual({
      kind: 'sine',
      mean: 4,
      amplitude: 3,
      periodMs: 20_000,
      durationMs: 60_000,
    });
  });

  it('a bad command line exits 2 with the reason and the usage', async () => {
    for (const argv of [
      ['wave'],
      ['burst', 'many'],
      ['steady', '--rate', '5'],
      ['burst', '5', '--nope'],
    ]) {
      const { out, io: streams } = io();
      expect(await loadMain(argv, streams, {}), argv.join(' ')).toBe(2);
      expect(out.stderr).toMatch(/^load: ERR_BAD_ARGUMENT: .*\n\nUsage: pnpm load/s);
    }
  });

  it('enqueues a burst of the course photos on a real Redis', async () => {
    await using redis = await testRedis();
    const dir = mkdtempSync(path.join(tmpdir(), 'session08-load-'));
    try {
      const { out, io: streams } = io();
      const code = await loadMain(
        ['burst', '15', '--queue', 'cli-load', '--out', dir, '--json'],
        streams,
        { REDIS_URL: redis.url },
      );
      expect(code, out.stdout).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({ queue: 'cli-load', sent: 15 });
      const inspector = new QueueInspector({ url: redis.url, name: 'cli-load' });
      expect((await inspector.counts()).pending).toBe(15);
      await inspector.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
