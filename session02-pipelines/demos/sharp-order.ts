/** Proves sharp's fixed operation order: every pair of operations, fused vs step by step. */
import type { SharpOp } from '@workbook/session01';
import {
  canJoinPass,
  NEVER_SHARE_PASS,
  OP_SAMPLES,
  PASS_ENDING_OPS,
  type PairOutcome,
  probeOps,
  SHARP_OP_ORDER,
} from '@workbook/session02';
import chalk from 'chalk';

const SYMBOL: Record<PairOutcome, string> = {
  kept: chalk.green('>'),
  commute: chalk.gray('='),
  reordered: chalk.yellow('<'),
  other: chalk.red('X'),
  error: chalk.red('E'),
};

const ops = SHARP_OP_ORDER.filter((op) => OP_SAMPLES[op]);
console.log(chalk.bold('How ONE sharp pipeline orders two operations A (row) then B (column)'));
console.log('Columns are numbered like the rows: column 5 is B = the op of row 5.');
console.log(`ops in the planner's order (SHARP_OP_ORDER): ${ops.join(' → ')}\n`);

const outcomes = new Map<string, PairOutcome>();
// Rows and columns are numbered alike (two-letter abbreviations were ambiguous: ex = extract
// or extend, fl = flip or flop, re = resize or recomb), and the row label repeats the number.
const number = (i: number) => String(i + 1).padStart(2);
const label = (op: SharpOp, i: number) => `${number(i)} ${op}`;
const width = Math.max(...ops.map((op, i) => label(op, i).length)) + 1;
console.log(chalk.dim(`${'B →'.padStart(width)}${ops.map((_, i) => ` ${number(i)}`).join('')}`));
for (const [i, a] of ops.entries()) {
  let line = label(a, i).padEnd(width);
  for (const b of ops) {
    if (a === b) {
      line += '  .';
      continue;
    }
    const outcome = await probeOps(a, b);
    outcomes.set(`${a}>${b}`, outcome);
    line += `  ${SYMBOL[outcome]}`;
  }
  console.log(line);
}
console.log(
  `\n${SYMBOL.kept} call order kept   ${SYMBOL.commute} same either way   ` +
    `${SYMBOL.reordered} sharp ran B first   ${SYMBOL.other} neither   ${SYMBOL.error} sharp refused`,
);

// Check the planner's table against what we just measured.
const problems: string[] = [];
for (const [pair, outcome] of outcomes) {
  const [a, b] = pair.split('>') as [SharpOp, SharpOp];
  const planned = canJoinPass([a], [b]);
  if (planned && outcome !== 'kept' && outcome !== 'commute') {
    problems.push(`${a} → ${b} shares a pass in our plan but sharp gives '${outcome}'`);
  }
}
console.log(
  `\nNever sharing a pass although in order: ${NEVER_SHARE_PASS.map(([a, b]) => `${a}→${b}`).join(', ')}` +
    `; nothing follows ${[...PASS_ENDING_OPS].join(' or ')} in a pass (unclamped values)`,
);
if (problems.length > 0) {
  console.log(chalk.red(`\nThe order table in src/sharp-order.ts is wrong for this sharp:`));
  for (const problem of problems) console.log(chalk.red(`  ${problem}`));
  process.exitCode = 1;
} else {
  console.log(chalk.green('\n✓ every pair the planner fuses is applied by sharp in call order'));
}
