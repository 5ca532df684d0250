import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const IMGQ = fileURLToPath(new URL('../../src/cli/imgq.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** What a finished `imgq` process left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines (non-JSON lines skipped). */
  lines: Array<Record<string, unknown>>;
}

/** The argv that runs `imgq` in a child process (node + tsx, as `pnpm imgq` does). */
export function imgqCommand(...args: string[]): string[] {
  return [process.execPath, '--import', TSX, IMGQ, ...args];
}

/** Runs `imgq` as a child process, as a user would, and collects its output. */
export function runImgq(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const [file, ...rest] = imgqCommand(...args);
  return new Promise((resolve, reject) => {
    const child = spawn(file!, rest, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
  });
}
