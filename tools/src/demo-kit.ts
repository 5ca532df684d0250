/**
 * Small helpers for session demos (`import { … } from '@workbook/tools/demo-kit'`): where
 * output goes, titles and steps in colour, a summary table, and one way to end on an error.
 * Demos talk to humans; these keep them looking alike across the ten sessions.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';

/**
 * `<session>/out/<demo>/` for the demo file at `demoUrl` (pass `import.meta.url`), created if
 * missing. The folder is git-ignored.
 * @example const out = demoOutDir(import.meta.url); // …/session01-image-basics/out/simple-processor
 */
export function demoOutDir(demoUrl: string): string {
  const file = fileURLToPath(demoUrl);
  const sessionDir = path.dirname(path.dirname(file));
  const dir = path.join(sessionDir, 'out', path.basename(file).replace(/\.[cm]?[tj]s$/, ''));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Prints a bold title with an underline. */
export function title(text: string): void {
  console.log(`\n${chalk.bold.cyan(text)}\n${chalk.cyan('─'.repeat(Math.min(text.length, 100)))}`);
}

/** Prints one step: `→ text`. */
export function step(text: string): void {
  console.log(`${chalk.cyan('→')} ${text}`);
}

/** Prints a success line: `✔ text`. */
export function done(text: string): void {
  console.log(`${chalk.green('✔')} ${text}`);
}

/** Prints a warning line: `! text`. */
export function warn(text: string): void {
  console.log(`${chalk.yellow('!')} ${text}`);
}

/**
 * Prints rows as an aligned table; numbers are right-aligned.
 * @example table([{ file: 'a.png', ms: 12 }, { file: 'b.png', ms: 9 }]);
 */
export function table(rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const text = (value: string | number | undefined) =>
    typeof value === 'number'
      ? Number.isInteger(value)
        ? String(value)
        : value.toFixed(2)
      : (value ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: (string | number | undefined)[]) =>
    cells
      .map((cell, i) =>
        typeof cell === 'number' ? text(cell).padStart(widths[i]!) : text(cell).padEnd(widths[i]!),
      )
      .join('  ');
  console.log(chalk.bold(line(columns)));
  console.log(chalk.dim(widths.map((w) => '─'.repeat(w)).join('  ')));
  for (const row of rows) console.log(line(columns.map((c) => row[c])));
}

/**
 * Runs a demo's main function; on an error prints its `code` and message (not a bare stack)
 * and exits with code 1.
 * @example await runMain(async () => { … });
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const err = error as Error & { code?: string };
    console.error(
      `\n${chalk.red.bold('✖ The demo failed')}${err.code ? chalk.red(` [${err.code}]`) : ''}`,
    );
    console.error(chalk.red(err.message));
    if (process.env.DEBUG) console.error(chalk.dim(err.stack ?? ''));
    else console.error(chalk.dim('(set DEBUG=1 to see the stack)'));
    process.exitCode = 1;
  }
}
