/** Real observed worker processes for the tests (test/fixtures/observed-worker.ts). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const FIXTURE = fileURLToPath(new URL('./fixtures/observed-worker.ts', import.meta.url));

/** A running worker process. */
export interface SpawnedWorker {
  child: ChildProcess;
  /** JSON lines printed on stdout, in order. */
  events: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Starts an observed worker; its logs (stderr) go to `logFile`. */
export function spawnObservedWorker(
  options: Record<string, unknown>,
  logFile: string,
): SpawnedWorker {
  const child = spawn(process.execPath, ['--import', TSX, FIXTURE, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr?.pipe(createWriteStream(logFile));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, events, exited };
}
