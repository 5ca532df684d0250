import {
  type MonitorSnapshot,
  renderMonitor,
  renderMonitorLine,
  ThroughputMeter,
  takeSnapshot,
} from './monitor.ts';
import type { QueueInspector } from './queue-inspector.ts';

/** A terminal to draw on (`process.stdout` or a test double). */
export interface MonitorOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Keys come from here (`process.stdin` or a test double). */
export interface MonitorInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (data: Buffer | string) => void): unknown;
  off(event: 'data', listener: (data: Buffer | string) => void): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

/**
 * How frames are drawn:
 * - `alternate`: a full-screen view on the terminal's alternate screen; the shell comes back
 *   untouched on exit (what `imgq monitor` uses on a TTY);
 * - `inline`: redrawn in place by moving the cursor up, the last frame stays on screen (demos);
 * - `lines`: one summary line per refresh, for pipes and logs;
 * - `auto`: `alternate` on a TTY, `lines` otherwise.
 */
export type MonitorMode = 'auto' | 'alternate' | 'inline' | 'lines';

/** Options of {@link runMonitor}. */
export interface RunMonitorOptions {
  /** What to watch: the queue's read-only view (counts, leases, workers). */
  inspector: QueueInspector;
  /** @default 1000 */
  intervalMs?: number;
  /** @default 'auto' */
  mode?: MonitorMode;
  /** @default process.stdout */
  output?: MonitorOutput;
  /** Keys q / Ctrl-C stop the monitor when it is a TTY. @default process.stdin */
  input?: MonitorInput | null;
  /**
   * Event lines to show (called on every refresh): the last few under the dashboard, or each
   * new one once in `lines` mode. Give an array that only grows.
   */
  events?: () => string[];
  /** Stops the monitor after the frame for which it returns true (demos: "all accounted for"). */
  until?: (snapshot: MonitorSnapshot) => boolean;
  /** Aborting it stops the monitor. */
  signal?: AbortSignal;
  /** @default output.isTTY */
  color?: boolean;
}

/** A running monitor. */
export interface RunningMonitor {
  /** Resolves with the last snapshot once the monitor has stopped and restored the terminal. */
  readonly done: Promise<MonitorSnapshot | null>;
  stop(): void;
}

const ESC = '\x1b[';
const ALT_ON = `${ESC}?1049h${ESC}?25l`;
const ALT_OFF = `${ESC}?25h${ESC}?1049l`;

/**
 * The live dashboard: takes a snapshot every `intervalMs`, renders it with `renderMonitor`
 * (pure) and draws it in place. Stops on q or Ctrl-C (raw keyboard on a TTY), on `signal`,
 * when `until` says so, or on `stop()`, and always restores the terminal (cursor, screen, raw
 * mode) before `done` resolves.
 *
 * @example
 * const monitor = runMonitor({ inspector: new QueueInspector({ name: 'images' }) });
 * await monitor.done;
 */
export function runMonitor(options: RunMonitorOptions): RunningMonitor {
  const output = options.output ?? process.stdout;
  const input = options.input === undefined ? process.stdin : options.input;
  const mode = resolveMode(options.mode ?? 'auto', output);
  const color = options.color ?? output.isTTY === true;
  const meter = new ThroughputMeter();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};
  let previousLines = 0;
  let eventsPrinted = 0;
  let last: MonitorSnapshot | null = null;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    wake();
  };
  const onKey = (data: Buffer | string) => {
    const key = data.toString();
    if (key === 'q' || key === 'Q' || key === '\u0003') stop();
  };
  const onAbort = () => stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const interactive =
    mode !== 'lines' && input?.isTTY === true && typeof input.setRawMode === 'function';
  if (interactive) {
    input!.setRawMode!(true);
    input!.on('data', onKey);
    input!.resume?.();
  }
  if (mode === 'alternate') output.write(ALT_ON);

  const draw = (snapshot: MonitorSnapshot) => {
    if (mode === 'lines') {
      // Events are printed once each, under the line of the refresh that first saw them.
      const fresh = snapshot.events.slice(eventsPrinted).map((event) => `  ▸ ${event}\n`);
      eventsPrinted = snapshot.events.length;
      output.write(`${renderMonitorLine(snapshot)}\n${fresh.join('')}`);
      return;
    }
    const frame = renderMonitor(snapshot, {
      width: Math.min(120, output.columns ?? 100),
      color,
      hint: interactive ? 'q quits' : 'Ctrl-C quits',
    });
    if (mode === 'alternate') {
      output.write(`${ESC}H${ESC}2J${frame}\n`);
    } else {
      // Move up over the previous frame and clear from there down, then draw the new one.
      const up = previousLines > 0 ? `${ESC}${previousLines}F${ESC}0J` : '';
      output.write(`${up}${frame}\n`);
      previousLines = frame.split('\n').length;
    }
  };

  const loop = async (): Promise<MonitorSnapshot | null> => {
    try {
      while (!stopped) {
        const snapshot = await takeSnapshot(options.inspector, meter, options.events?.() ?? []);
        last = snapshot;
        if (stopped) break;
        draw(snapshot);
        if (options.until?.(snapshot)) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, options.intervalMs ?? 1_000);
        });
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (interactive) {
        input!.off('data', onKey);
        input!.setRawMode!(false);
        input!.pause?.();
      }
      if (mode === 'alternate') output.write(ALT_OFF);
    }
    return last;
  };

  return { done: loop(), stop };
}

function resolveMode(mode: MonitorMode, output: MonitorOutput): Exclude<MonitorMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return output.isTTY ? 'alternate' : 'lines';
}
