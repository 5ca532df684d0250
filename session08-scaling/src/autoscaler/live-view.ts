/**
 * The autoscaler's live terminal view, as pure functions of a snapshot: queue depth, desired
 * and actual replicas, what KEDA and the HPA last concluded and the last decision with its
 * reason. `renderAutoscalerView` draws the whole screen (a TTY redraws it in place);
 * `renderAutoscalerLine` is one line for logs and pipes.
 */
import chalk from 'chalk';
import type { AutoscalerSnapshot, TimelineDecision } from './local-autoscaler.ts';

/** Options of {@link renderAutoscalerView}. */
export interface ViewOptions {
  /** Queue name, for the header. */
  queue: string;
  /** Screen width. @default 100 */
  width?: number;
  /** Recent replica events, newest last (already formatted). */
  events?: readonly string[];
  /** The most tasks seen at once, to scale the depth bar. @default the current depth */
  peakDepth?: number;
}

/** `m:ss` of wall milliseconds. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `7m40s` of model milliseconds. */
export function modelText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** One decision as a line: `0:05 (1m40s)  0 → 5  HPA  <reason>`. */
export function decisionText(d: TimelineDecision): string {
  const arrow =
    d.to > d.from ? chalk.yellow(`${d.from} → ${d.to}`) : chalk.magenta(`${d.from} → ${d.to}`);
  return `${clockText(d.t)} (${modelText(d.model)})  ${arrow}  ${d.source === 'keda' ? 'KEDA' : 'HPA '}  ${d.reason}`;
}

/** The full screen, as lines joined by newlines (no trailing newline). */
export function renderAutoscalerView(snapshot: AutoscalerSnapshot, options: ViewOptions): string {
  const width = options.width ?? 100;
  const { sample, step, lastDecision, timeScale } = snapshot;
  const { replicas: r } = sample;
  const rule = chalk.dim('─'.repeat(width));
  const depth = sample.pending + sample.processing;
  const peak = Math.max(1, options.peakDepth ?? depth, depth);
  const barWidth = Math.max(10, width - 20);
  const filled = Math.round((sample.pending / peak) * barWidth);
  const busy = Math.round((sample.processing / peak) * barWidth);
  const bar =
    chalk.blue('█'.repeat(filled)) +
    chalk.cyan('▒'.repeat(Math.min(busy, barWidth - filled))) +
    chalk.dim('░'.repeat(Math.max(0, barWidth - filled - busy)));
  const pods =
    chalk.green('●'.repeat(r.ready)) +
    chalk.yellow('◐'.repeat(r.starting)) +
    chalk.magenta('◌'.repeat(r.draining)) +
    chalk.dim('·'.repeat(Math.max(0, r.desired - r.existing)));
  const keda = step.keda ? step.keda.reason : chalk.dim('(no poll this tick)');
  const hpa = step.hpa ? step.hpa.reason : chalk.dim('(no sync this tick)');
  const lines = [
    ` ${chalk.bold('autoscaler')} · queue ${options.queue} · ${snapshot.driverKind} replicas · time ×${timeScale} · ${clockText(sample.t)} (model ${modelText(sample.model)})`,
    rule,
    ` ${chalk.bold('QUEUE')}     pending ${chalk.blue(String(sample.pending).padStart(4))}   processing ${chalk.cyan(String(sample.processing).padStart(3))}   done ${String(sample.completed).padStart(4)}   dlq ${sample.dlq}`,
    `           ${bar}`,
    ` ${chalk.bold('REPLICAS')}  desired ${chalk.yellow(String(r.desired).padStart(2))}   ready ${chalk.green(String(r.ready).padStart(2))}   starting ${String(r.starting).padStart(2)}   draining ${String(r.draining).padStart(2)}   ${pods}`,
    ` ${chalk.bold('KEDA')}      ${keda}`,
    ` ${chalk.bold('HPA')}       ${hpa}`,
    ` ${chalk.bold('LAST')}      ${lastDecision ? decisionText(lastDecision) : chalk.dim('no scaling yet')}`,
    rule,
    ` ${chalk.bold('EVENTS')}`,
    ...(options.events ?? []).slice(-6).map((e) => `  ${e}`),
  ];
  return lines.map((line) => truncate(line, width)).join('\n');
}

/** One line: `0:12 pending 45 processing 6 | replicas 6 desired, 4 ready, 2 starting | <last reason>`. */
export function renderAutoscalerLine(snapshot: AutoscalerSnapshot): string {
  const { sample, step } = snapshot;
  const r = sample.replicas;
  return (
    `${clockText(sample.t)} pending ${sample.pending} processing ${sample.processing} done ${sample.completed} | ` +
    `replicas ${r.desired} desired, ${r.ready} ready, ${r.starting} starting, ${r.draining} draining | ${step.reason}`
  );
}

/** Cuts a line with colours to `width` visible characters. */
function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width - 1) return `${out}…\u001b[0m`;
    out += line[i];
    visible++;
  }
  return out;
}
