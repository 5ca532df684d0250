/**
 * `pnpm bench`: lists the benchmarks in tools/bench/ (each file's first doc-comment line);
 * `pnpm bench <name> [args…]` runs tools/bench/<name>.ts. Speed claims of the course are
 * measured here, never asserted by timers in tests.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import { docSummary } from './demo.ts';
import { isMain, REPO_ROOT, TOOLS_DIR } from './paths.ts';
import { exitQuietlyOnClosedPipe } from './ui.ts';

/** Files in tools/bench/ that are helpers, not benchmarks. */
const NOT_BENCHMARKS = new Set(['kit']);

/** A benchmark script. */
export interface Bench {
  name: string;
  file: string;
  description: string;
}

/** The benchmarks in `dir`, sorted by name. @default dir tools/bench */
export function listBenches(dir = path.join(TOOLS_DIR, 'bench')): Bench[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !NOT_BENCHMARKS.has(name.slice(0, -3)))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      return { name: name.slice(0, -3), file, description: docSummary(readFileSync(file, 'utf8')) };
    });
}

function printList(benches: Bench[]): void {
  if (benches.length === 0) {
    console.log(chalk.dim('No benchmarks yet (tools/bench/<name>.ts).'));
    return;
  }
  const width = Math.max(...benches.map((b) => b.name.length));
  console.log(chalk.bold('Benchmarks (results also go to .bench/<name>.json)'));
  for (const bench of benches)
    console.log(`  ${chalk.cyan(bench.name.padEnd(width))}  ${bench.description}`);
  console.log(chalk.dim('\nRun one: pnpm bench <name>'));
}

/** The bench dispatcher's main; returns the exit code. */
export async function benchMain(argv: string[], dir?: string): Promise<number> {
  const [name, ...rest] = argv;
  const benches = listBenches(dir);
  if (!name || name === '--list' || name === '--help') {
    printList(benches);
    return 0;
  }
  const bench = benches.find((b) => b.name === name);
  if (!bench) {
    console.log(chalk.red(`No benchmark named \`${name}\`.`));
    printList(benches);
    return 1;
  }
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), bench.file, ...rest],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onTerm = forward('SIGTERM');
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

if (isMain(import.meta.url)) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await benchMain(process.argv.slice(2));
}
