/**
 * The chart of an autoscaling run: queue depth (pending, and in processing) on the left axis,
 * replicas (desired and ready) on the right axis, each scaling decision marked with who made it.
 * `scalingChartSvg` is pure (timeline in, SVG text out); `writeScalingChart` also writes the PNG
 * that sharp renders from it.
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { TimelineDecision, TimelineSample } from '../autoscaler/local-autoscaler.ts';

/** Options of {@link scalingChartSvg}. */
export interface ChartOptions {
  /** @default 'Autoscaling run' */
  title?: string;
  /** A second line under the title (settings, totals). */
  subtitle?: string;
  /** Model seconds per wall second, to label the model-time axis. @default 1 */
  timeScale?: number;
  /** @default 1000 */
  width?: number;
  /** @default 520 */
  height?: number;
}

const COLOURS = {
  background: '#ffffff',
  grid: '#e5e7eb',
  text: '#111827',
  dim: '#6b7280',
  pending: '#2563eb',
  processing: '#93c5fd',
  desired: '#ea580c',
  ready: '#16a34a',
  up: '#ea580c',
  down: '#7c3aed',
} as const;

/**
 * An SVG line chart of a timeline.
 * @example writeFileSync('run.svg', scalingChartSvg(autoscaler.samples, autoscaler.decisions))
 */
export function scalingChartSvg(
  samples: readonly TimelineSample[],
  decisions: readonly TimelineDecision[],
  options: ChartOptions = {},
): string {
  const width = options.width ?? 1000;
  const height = options.height ?? 520;
  const pad = { left: 64, right: 64, top: 78, bottom: 86 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const tMax = Math.max(1, ...samples.map((s) => s.t)) / 1000;
  const depthMax = niceMax(Math.max(1, ...samples.map((s) => s.pending + s.processing)));
  const replicaMax = Math.max(
    2,
    ...samples.map((s) => Math.max(s.replicas.desired, s.replicas.existing + s.replicas.draining)),
    ...decisions.map((d) => d.to),
  );
  const x = (ms: number) => pad.left + (ms / 1000 / tMax) * plotW;
  const yDepth = (v: number) => pad.top + plotH - (v / depthMax) * plotH;
  const yRep = (v: number) => pad.top + plotH - (v / replicaMax) * plotH;

  const parts: string[] = [];
  // Grid and axes.
  for (let i = 0; i <= 4; i++) {
    const v = (depthMax * i) / 4;
    const y = yDepth(v);
    parts.push(
      `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${y}" y2="${y}" stroke="${COLOURS.grid}"/>`,
    );
    parts.push(
      `<text x="${pad.left - 8}" y="${y + 4}" text-anchor="end" font-size="12" fill="${COLOURS.pending}">${fmt(v)}</text>`,
    );
  }
  for (let r = 0; r <= replicaMax; r += replicaMax > 10 ? 2 : 1) {
    parts.push(
      `<text x="${pad.left + plotW + 8}" y="${yRep(r) + 4}" font-size="12" fill="${COLOURS.desired}">${r}</text>`,
    );
  }
  const step = niceStep(tMax);
  for (let t = 0; t <= tMax + 1e-9; t += step) {
    const xt = x(t * 1000);
    parts.push(
      `<line x1="${xt}" x2="${xt}" y1="${pad.top + plotH}" y2="${pad.top + plotH + 5}" stroke="${COLOURS.dim}"/>`,
    );
    parts.push(
      `<text x="${xt}" y="${pad.top + plotH + 20}" text-anchor="middle" font-size="12" fill="${COLOURS.dim}">${fmt(t)} s</text>`,
    );
    if (options.timeScale && options.timeScale !== 1) {
      const minutes = fmt((t * options.timeScale) / 60);
      parts.push(
        `<text x="${xt}" y="${pad.top + plotH + 34}" text-anchor="middle" font-size="10" fill="${COLOURS.dim}">${minutes} min</text>`,
      );
    }
  }
  parts.push(
    `<line x1="${pad.left}" x2="${pad.left + plotW}" y1="${pad.top + plotH}" y2="${pad.top + plotH}" stroke="${COLOURS.dim}"/>`,
  );
  // Decisions: a dashed line and a label at the top.
  decisions.forEach((d, i) => {
    const xd = x(d.t);
    const colour = d.to > d.from ? COLOURS.up : COLOURS.down;
    parts.push(
      `<line x1="${xd}" x2="${xd}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="${colour}" stroke-dasharray="4 4" stroke-opacity="0.7"/>`,
    );
    const label = `${d.from}→${d.to} ${d.source === 'keda' ? 'KEDA' : 'HPA'}`;
    parts.push(
      `<text x="${xd + 3}" y="${pad.top + 12 + (i % 4) * 13}" font-size="11" fill="${colour}">${label}</text>`,
    );
  });
  // Series.
  const line = (
    points: Array<[number, number]>,
    colour: string,
    widthPx: number,
    stepped: boolean,
  ) => {
    if (points.length === 0) return '';
    let d = `M${points[0]![0].toFixed(1)},${points[0]![1].toFixed(1)}`;
    for (let i = 1; i < points.length; i++) {
      const [px, py] = points[i]!;
      d += stepped ? ` H${px.toFixed(1)} V${py.toFixed(1)}` : ` L${px.toFixed(1)},${py.toFixed(1)}`;
    }
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${widthPx}" stroke-linejoin="round"/>`;
  };
  parts.push(
    line(
      samples.map((s) => [x(s.t), yDepth(s.pending + s.processing)]),
      COLOURS.processing,
      2,
      false,
    ),
  );
  parts.push(
    line(
      samples.map((s) => [x(s.t), yDepth(s.pending)]),
      COLOURS.pending,
      2.5,
      false,
    ),
  );
  // Ready underneath (wide), desired on top (dashed): both stay visible where they agree.
  parts.push(
    line(
      samples.map((s) => [x(s.t), yRep(s.replicas.ready)]),
      COLOURS.ready,
      4,
      true,
    ),
  );
  const desired = line(
    samples.map((s) => [x(s.t), yRep(s.replicas.desired)]),
    COLOURS.desired,
    2,
    true,
  );
  parts.push(desired.replace('/>', ' stroke-dasharray="7 4"/>'));
  // Title, axis names, legend.
  const legend = [
    ['pending tasks (LLEN)', COLOURS.pending],
    ['pending + processing', COLOURS.processing],
    ['desired replicas', COLOURS.desired],
    ['ready workers', COLOURS.ready],
  ] as const;
  const legendParts = legend.map(
    ([name, colour], i) =>
      `<rect x="${pad.left + i * 190}" y="${height - 24}" width="14" height="4" fill="${colour}"/><text x="${pad.left + i * 190 + 20}" y="${height - 18}" font-size="12" fill="${COLOURS.text}">${name}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
  <style>text { font-family: 'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif; }</style>
  <rect width="${width}" height="${height}" fill="${COLOURS.background}"/>
  <text x="${pad.left}" y="28" font-size="18" font-weight="bold" fill="${COLOURS.text}">${escapeXml(options.title ?? 'Autoscaling run')}</text>
  <text x="${pad.left}" y="48" font-size="12" fill="${COLOURS.dim}">${escapeXml(options.subtitle ?? '')}</text>
  <text x="16" y="${pad.top - 10}" font-size="12" fill="${COLOURS.pending}">tasks</text>
  <text x="${width - 16}" y="${pad.top - 10}" text-anchor="end" font-size="12" fill="${COLOURS.desired}">replicas</text>
  ${parts.join('\n  ')}
  ${legendParts.join('\n  ')}
</svg>
`;
}

/**
 * Writes the chart as `<base>.svg` and `<base>.png` (rendered by sharp from the SVG).
 * @returns the two file paths.
 */
export async function writeScalingChart(
  base: string,
  samples: readonly TimelineSample[],
  decisions: readonly TimelineDecision[],
  options: ChartOptions = {},
): Promise<{ svg: string; png: string }> {
  const svg = scalingChartSvg(samples, decisions, options);
  const files = { svg: `${base}.svg`, png: `${base}.png` };
  await writeFile(files.svg, svg);
  await sharp(Buffer.from(svg)).png().toFile(files.png);
  return files;
}

function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * magnitude >= value) return m * magnitude;
  return 10 * magnitude;
}

function niceStep(seconds: number): number {
  for (const s of [1, 2, 5, 10, 15, 20, 30, 60, 120, 300]) if (seconds / s <= 12) return s;
  return 600;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
