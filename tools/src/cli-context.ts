/** What every `pnpm workbook` command gets: where it runs, how it prints, its arguments. */
import chalk from 'chalk';
import { progressPath } from './progress.ts';

/** Where and how the CLI runs; injectable for tests. */
export interface CliContext {
  root: string;
  /** The folder the student typed the command in (pnpm passes it as INIT_CWD). */
  cwd: string;
  print: (line: string) => void;
  /** Progress file. @default `<root>/.workbook/progress.json` */
  progressFile?: string;
  /** The check watchdog's bound (tests shorten it). @default check.ts's */
  stallMs?: number;
}

/** The flags and positional arguments of a command line. */
export interface ParsedArgs {
  positional: string[];
  flags: Set<string>;
}

/** Splits `--flag` options from positional arguments. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Set<string>();
  for (const arg of argv) {
    if (arg === '--') continue;
    if (arg.startsWith('--')) flags.add(arg.slice(2));
    else if (arg === '-h') flags.add('help');
    else if (arg === '-w') flags.add('watch');
    else positional.push(arg);
  }
  return { positional, flags };
}

export function progressFileOf(ctx: CliContext): string {
  return ctx.progressFile ?? progressPath(ctx.root);
}

export function warnTo(ctx: CliContext) {
  return (line: string) => ctx.print(chalk.yellow(line));
}
