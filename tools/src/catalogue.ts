/**
 * `pnpm workbook mistakes [exercise]`: the mistake catalogue of each exercise for maintainers —
 * each mistake's name, the 🚨 text its check must show, and the command that runs it.
 */
import chalk from 'chalk';
import type { Exercise } from './exercises.ts';
import { MISTAKES_WANTED } from './mistakes.ts';
import { rel } from './paths.ts';

/** The catalogue of `exercises` as printable lines (paths relative to `root`). */
export function formatMistakes(exercises: Exercise[], root: string): string[] {
  const lines: string[] = [];
  let total = 0;
  let short = 0;
  for (const ex of exercises) {
    const n = ex.mistakes.length;
    total += n;
    if (n < MISTAKES_WANTED) short++;
    const count = `${n} mistake${n === 1 ? '' : 's'}`;
    const badge =
      n >= MISTAKES_WANTED
        ? chalk.green(count)
        : chalk.yellow(`${count} (${MISTAKES_WANTED} wanted)`);
    lines.push(`${chalk.bold(ex.id)} ${ex.title} ${chalk.dim('·')} ${badge}`);
    const check = rel(ex.checkFile, root);
    for (const mistake of ex.mistakes) {
      const name = mistake.doc.name ?? chalk.red('(no "# " heading)');
      lines.push(`  ${chalk.cyan(mistake.slug)}  ${name}`);
      lines.push(
        `      ${mistake.doc.alarm ? `🚨 ${mistake.doc.alarm}` : chalk.red('(no 🚨 line: the proof cannot match the message)')}`,
      );
      const env =
        mistake.kind === 'wrong'
          ? 'WORKBOOK_TARGET=wrong'
          : `WORKBOOK_TARGET=mistake WORKBOOK_MISTAKE=${mistake.selector}`;
      lines.push(chalk.dim(`      ${env} pnpm exec vitest run ${check}`));
    }
  }
  lines.push('');
  lines.push(
    chalk.dim(
      `${total} mistake(s) in ${exercises.length} exercise(s); ${short} short of ${MISTAKES_WANTED}. ` +
        '`pnpm prove` checks each is caught with its 🚨 message.',
    ),
  );
  return lines;
}
