/**
 * Shared terminal output of the workbook tools: status marks, banners and progress bars.
 * Colour comes from chalk, which turns itself off when output is not a terminal (or with
 * NO_COLOR), so logs and tests read plain text.
 */
import chalk from 'chalk';

/** Status marks used by every command, so ✅ always means the same thing. */
export const MARK = {
  pass: '✅',
  fail: '❌',
  todo: '⏳',
  warn: '⚠️ ',
  started: '✏️ ',
  caughtUp: '⏩',
  info: 'ℹ️ ',
} as const;

/** A section title like `▶ 2/4 Typecheck`, bold and cyan. */
export function heading(text: string): string {
  return chalk.bold.cyan(`▶ ${text}`);
}

/** A framed banner for the end of a run: green when it passed, red when not. */
export function banner(text: string, ok: boolean): string {
  const line = '═'.repeat(Math.min(Math.max(text.length + 4, 40), 100));
  const paint = ok ? chalk.green.bold : chalk.red.bold;
  return [paint(line), paint(`  ${text}`), paint(line)].join('\n');
}

/**
 * A text progress bar such as `████████░░░░ 4/6`.
 * @default width 20
 * @example progressBar(2, 4, 8) // '████░░░░ 2/4'
 */
export function progressBar(done: number, total: number, width = 20): string {
  const share = total === 0 ? 0 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  const bar = chalk.green('█'.repeat(filled)) + chalk.dim('░'.repeat(width - filled));
  return `${bar} ${done}/${total}`;
}

/** Seconds with one decimal, for step timings: `2.4 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Pads `text` to `width` visible characters (ignores colour codes). */
export function pad(text: string, width: number): string {
  const visible = stripAnsi(text).length;
  return visible >= width ? text : text + ' '.repeat(width - visible);
}

/** Removes terminal colour codes. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ESC of colour codes is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/**
 * Ends the process quietly when the reader of stdout goes away (`pnpm workbook | head`),
 * instead of crashing with an EPIPE stack trace.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
