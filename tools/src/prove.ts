/**
 * `pnpm prove [exercise|session...]`: proves every exercise check is real (see proof.ts) and
 * prints each violation with the exercise id, the check file and the test name. Exit code 1
 * when any is found. With arguments (`pnpm prove 02.1 05`), only those exercises: a
 * maintainer's quick proof after changing a check; the gate always proves them all.
 */
import chalk from 'chalk';
import { discoverWorkbook, selectEach, UnknownIdError } from './exercises.ts';
import { isMain } from './paths.ts';
import {
  formatCatalogue,
  formatViolations,
  type ProofResult,
  proofLine,
  runProof,
} from './proof.ts';

/** Runs the proof on the course repository and prints it. */
export async function prove(root?: string, only: string[] = []): Promise<ProofResult> {
  const all = discoverWorkbook(root);
  const workbook = only.length === 0 ? all : { ...all, exercises: selectEach(all, only) };
  const result = await runProof(workbook, { log: (line) => console.log(chalk.dim(`  ${line}`)) });
  for (const line of formatCatalogue(result)) console.log(chalk.yellow(line));
  for (const line of formatViolations(result.violations)) console.log(chalk.red(line));
  if (workbook.exercises.length === 0) console.log(chalk.yellow('  no exercises found yet'));
  return result;
}

if (isMain(import.meta.url)) {
  const only = process.argv.slice(2).filter((a) => a !== '--');
  let result: ProofResult;
  try {
    result = await prove(undefined, only);
  } catch (error) {
    if (!(error instanceof UnknownIdError)) throw error;
    console.error(chalk.red(error.message));
    process.exit(1);
  }
  const line = proofLine(result);
  console.log(result.violations.length ? chalk.red.bold(line) : chalk.green.bold(line));
  process.exitCode = result.violations.length ? 1 : 0;
}
