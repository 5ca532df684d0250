/**
 * `pnpm prove`: proves every exercise check is real (see proof.ts) and prints each violation
 * with the exercise id, the check file and the test name. Exit code 1 when any is found.
 */
import chalk from 'chalk';
import { discoverWorkbook } from './exercises.ts';
import { isMain } from './paths.ts';
import {
  formatCatalogue,
  formatViolations,
  type ProofResult,
  proofLine,
  runProof,
} from './proof.ts';

/** Runs the proof on the course repository and prints it. */
export async function prove(root?: string): Promise<ProofResult> {
  const workbook = discoverWorkbook(root);
  const result = await runProof(workbook, { log: (line) => console.log(chalk.dim(`  ${line}`)) });
  for (const line of formatCatalogue(result)) console.log(chalk.yellow(line));
  for (const line of formatViolations(result.violations)) console.log(chalk.red(line));
  if (workbook.exercises.length === 0) console.log(chalk.yellow('  no exercises found yet'));
  return result;
}

if (isMain(import.meta.url)) {
  const result = await prove();
  const line = proofLine(result);
  console.log(result.violations.length ? chalk.red.bold(line) : chalk.green.bold(line));
  process.exitCode = result.violations.length ? 1 : 0;
}
