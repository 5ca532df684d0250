/**
 * Runs exercise checks on catalogued mistakes (`mistakes/<EE>-<slug>/<m>/`) in a child vitest
 * with `WORKBOOK_TARGET=mistake`, and returns what the student would read: the failure
 * messages of each check file. Used by test/messages.test.ts to pin the 🚨 text of the
 * mistakes issue 15 lists.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SESSION_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = path.dirname(SESSION_DIR);
const SESSION = path.basename(SESSION_DIR);
const VITEST = path.join(
  path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);

/** The failures one check file produced on a mistake. */
export interface CheckFailures {
  /** Titles of the failed tests. */
  failed: string[];
  /** Every failure message of the file, joined (what `pnpm check` shows under each ✗). */
  messages: string;
  /** Tests that passed. */
  passed: number;
}

/** The environment for a nested vitest: without the variables of the vitest running us. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return env;
}

/**
 * Runs the checks of the given mistakes (at most one per exercise) in one child vitest.
 * @param mistakes `<EE>-<slug>/<mistake>` of this session, e.g. `03-edge-detection/zero-padding`.
 * @returns the failures per mistake, keyed as given.
 */
export async function runMistakes(mistakes: string[]): Promise<Map<string, CheckFailures>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'workbook-messages-'));
  const report = path.join(dir, 'report.json');
  const checks = mistakes.map((m) => `${SESSION}/test/exercises/${m.split('/')[0]}.test.ts`);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          VITEST,
          'run',
          '--root',
          ROOT,
          '--reporter=json',
          `--outputFile.json=${report}`,
          ...checks,
        ],
        {
          cwd: ROOT,
          stdio: 'ignore',
          env: {
            ...childEnv(),
            WORKBOOK_TARGET: 'mistake',
            WORKBOOK_MISTAKE: mistakes.map((m) => `${SESSION}/mistakes/${m}`).join(','),
          },
        },
      );
      child.on('error', reject);
      child.on('exit', () => resolve());
    });
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: Array<{
        name: string;
        assertionResults: Array<{ title: string; status: string; failureMessages: string[] }>;
      }>;
    };
    const result = new Map<string, CheckFailures>();
    for (const [i, mistake] of mistakes.entries()) {
      const file = json.testResults.find((f) => f.name.replaceAll('\\', '/').endsWith(checks[i]!));
      const tests = file?.assertionResults ?? [];
      const failed = tests.filter((t) => t.status === 'failed');
      result.set(mistake, {
        failed: failed.map((t) => t.title),
        messages: failed.flatMap((t) => t.failureMessages).join('\n'),
        passed: tests.filter((t) => t.status === 'passed').length,
      });
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
