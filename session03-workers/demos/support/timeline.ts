/** ASCII timelines: one bar per task on a shared time axis, to make overlap visible. */
import chalk from 'chalk';

/** One task's run, in ms since a common origin. */
export interface Span {
  label: string;
  start: number;
  end: number;
  ok: boolean;
}

/**
 * How far apart two moments must be to count as different. A span is `finishedAt` (Date.now(),
 * whole ms) minus a sub-millisecond `durationMs`, so a task that starts right as another ends can
 * seem to start up to ~2 ms before it: not an overlap, a rounding.
 */
const CLOCK_RESOLUTION_MS = 2;

/** The most spans running at the same moment (a sweep over start and end points). */
export function maxOverlap(spans: Span[]): number {
  const points = spans.flatMap((s) => [
    { at: s.start, delta: 1 },
    { at: Math.max(s.start, s.end - CLOCK_RESOLUTION_MS), delta: -1 },
  ]);
  // At equal times, ends go first: a task that starts as another ends does not overlap it.
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let max = 0;
  for (const point of points) {
    now += point.delta;
    max = Math.max(max, now);
  }
  return max;
}

/** Lines of a timeline `width` characters wide, plus a row counting tasks in flight. */
export function renderTimeline(spans: Span[], width = 60): string[] {
  const end = Math.max(...spans.map((s) => s.end), 1);
  const labelWidth = Math.max(9, ...spans.map((s) => s.label.length));
  const col = (ms: number) => Math.min(width - 1, Math.floor((ms / end) * width));
  const lines = [
    `${' '.repeat(labelWidth)}  ${'0 s'.padEnd(width - 8)}${`${(end / 1000).toFixed(2)} s`.padStart(8)}`,
    `${' '.repeat(labelWidth)}  ${chalk.dim(`├${'─'.repeat(width - 2)}┤`)}`,
  ];
  for (const span of spans) {
    const from = col(span.start);
    const to = Math.max(from + 1, col(span.end));
    const bar = (span.ok ? chalk.green : chalk.red)('█'.repeat(to - from));
    lines.push(`${span.label.padEnd(labelWidth)}  ${' '.repeat(from)}${bar}`);
  }
  // How many bars cover each column: the overlap, drawn as digits.
  let counts = '';
  for (let c = 0; c < width; c++) {
    const at = ((c + 0.5) / width) * end;
    const n = spans.filter((s) => s.start <= at && at < s.end).length;
    counts += n === 0 ? ' ' : String(Math.min(n, 9));
  }
  lines.push(`${'in flight'.padEnd(labelWidth)}  ${chalk.cyan(counts)}`);
  return lines;
}
