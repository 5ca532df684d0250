/**
 * `pnpm k8s:check [targets…]` (in session10-final): session 07's manifest check of the final
 * overlay with KEDA's and the Prometheus Operator's schemas and the autoscaling rules.
 * Default target: k8s/final.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatReport, reportJson } from '@workbook/session07';
import { checkFinal } from '../k8s-check.ts';

const SESSION_DIR = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Runs the check; returns the exit code (1 when a finding is an error). */
export async function k8sCheckMain(
  argv: readonly string[],
  io: { stdout: { write(text: string): unknown; isTTY?: boolean } } = process,
  cwd = process.env.INIT_CWD ?? process.cwd(),
): Promise<number> {
  const json = argv.includes('--json');
  const given = argv.filter((a) => a !== '--json');
  const targets =
    given.length > 0 ? given : [path.relative(cwd, path.join(SESSION_DIR, 'k8s', 'final'))];
  const report = await checkFinal(targets, { cwd });
  io.stdout.write(
    json
      ? `${JSON.stringify(reportJson(report, cwd), null, 2)}\n`
      : `${formatReport(report, { color: Boolean(io.stdout.isTTY), cwd })}\n`,
  );
  return report.errors > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await k8sCheckMain(process.argv.slice(2));
}
