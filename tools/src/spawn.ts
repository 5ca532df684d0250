/**
 * Small process helpers shared by the gate, the typecheck and the CLI.
 */
import { spawn } from 'node:child_process';

/** Result of {@link run}. */
export interface RunResult {
  exitCode: number;
  /** stdout and stderr interleaved (empty with `inherit`). */
  output: string;
  durationMs: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Stream output to this terminal instead of capturing it. @default false */
  inherit?: boolean;
}

/**
 * Runs a command to completion. Never rejects for a non-zero exit; rejects only when the
 * command cannot be started at all.
 */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ exitCode: code ?? (signal ? 1 : 0), output, durationMs: Date.now() - started }),
    );
  });
}
