/** The text of `pnpm workbook help`, in aligned rows. */
import chalk from 'chalk';

/** The rows of `pnpm workbook help`: command, what it does (continuation lines allowed). */
const STUDENT_COMMANDS: Array<[string, string]> = [
  ['pnpm workbook', 'progress of every session and exercise'],
  ['pnpm workbook list', 'exercise ids, titles and status'],
  ['pnpm check [session] [exercise]', 'run the checks on your code (e.g. 01, 01.3, 01 3)'],
  ['pnpm check ... --watch', 'run them again whenever you save'],
  [
    'pnpm check --all',
    'every exercise of every session: tests and types\n(the same: pnpm workbook verify)',
  ],
  ['pnpm hint <exercise>', 'one more hint each time (--all: all shown so far, --reset)'],
  ['pnpm workbook diff <exercise>', 'your files against the reference solution'],
  ['pnpm workbook reset <exercise>', 'back up your attempt and restore the starter'],
  ['pnpm run doctor', 'check Node, sharp, Redis, Docker, kubectl'],
];
const INSTRUCTOR_COMMANDS: Array<[string, string]> = [
  ['pnpm check --solution ...', 'run the checks on the reference solutions'],
  ['pnpm workbook catch-up <exercise>', 'back up, then copy the reference into place'],
  ['pnpm workbook mistakes [exercise]', 'the mistake catalogue each check must catch'],
];

/** Aligned rows: every description starts in the same column, whatever the command's length. */
export function helpRows(rows: Array<[string, string]>): string[] {
  const width =
    Math.max(...[...STUDENT_COMMANDS, ...INSTRUCTOR_COMMANDS].map(([c]) => c.length)) + 2;
  return rows.flatMap(([command, text]) =>
    text
      .split('\n')
      .map((line, i) =>
        i === 0
          ? `  ${chalk.cyan(command)}${' '.repeat(width - command.length)}${line}`
          : `  ${' '.repeat(width)}${line}`,
      ),
  );
}

export const HELP = [
  `${chalk.bold('pnpm workbook')} — your companion through the course`,
  '',
  ...helpRows(STUDENT_COMMANDS),
  '',
  '  Instructors:',
  ...helpRows(INSTRUCTOR_COMMANDS),
  '',
  `  An exercise is named by its id (${chalk.bold('01.3')}), its slug or its folder name.`,
  '  Backups and progress live in .workbook/ (ignored by git).',
].join('\n');
