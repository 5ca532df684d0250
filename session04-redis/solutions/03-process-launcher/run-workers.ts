import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Options of {@link runWorkers}. */
export interface RunWorkersOptions {
  /** How many processes to start. */
  count: number;
  /** The program and its arguments, e.g. `[process.execPath, 'worker.mjs']`. */
  command: string[];
  /** Extra environment variables for every process. */
  env?: Record<string, string>;
}

/** What one process did. */
export interface WorkerReport {
  /** 0-based start order; the process got it as `WORKER_INDEX`. */
  index: number;
  pid: number;
  /** Exit code, or `null` when a signal ended it. */
  exitCode: number | null;
  /** Ids from its `{"taskId": …, "status": "completed"}` lines, in order. */
  completed: string[];
}

/**
 * Starts `count` worker processes, collects which tasks each reports as completed, and resolves
 * when all have exited.
 * @example
 * const reports = await runWorkers({ count: 3, command: [process.execPath, 'worker.mjs'] });
 */
export async function runWorkers(options: RunWorkersOptions): Promise<WorkerReport[]> {
  const [file, ...args] = options.command;
  if (!file) throw new Error('runWorkers needs a command');
  const runs = Array.from({ length: options.count }, (_, index) => {
    const child = spawn(file, args, {
      env: { ...process.env, ...options.env, WORKER_INDEX: String(index) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const report: WorkerReport = { index, pid: child.pid ?? -1, exitCode: null, completed: [] };
    // readline hands over whole lines, however the bytes were split into chunks.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const id = completedTaskId(line);
      if (id !== null) report.completed.push(id);
    });
    // A program that cannot start (ENOENT, EACCES) emits 'error', then 'close' with -errno: it
    // is reported like any failed process (pid -1, a negative exit code) instead of an
    // unhandled 'error' event taking the launcher down.
    child.on('error', () => {});
    // 'close' (not 'exit') comes after stdout is fully read, so no line is missed.
    return new Promise<WorkerReport>((resolve) => {
      child.on('close', (code) => {
        report.exitCode = code;
        resolve(report);
      });
    });
  });
  return Promise.all(runs);
}

/** The task id of a `{"taskId": …, "status": "completed"}` line, else `null`. */
function completedTaskId(line: string): string | null {
  try {
    const data = JSON.parse(line) as { taskId?: unknown; status?: unknown } | null;
    return data && typeof data.taskId === 'string' && data.status === 'completed'
      ? data.taskId
      : null;
  } catch {
    return null;
  }
}
