import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeValue, InvalidOptionError, WorkbookError } from '@workbook/session01';
import { type Logger, silentLogger } from '@workbook/session03';
import { RedisErrorCodes } from './errors.ts';

/**
 * Path of the `imgq` command line's script, for launching `imgq worker` processes.
 * @example launchWorkers({ count: 3, script: IMGQ_CLI, args: ['worker', '--json'] })
 */
export const IMGQ_CLI: string = fileURLToPath(new URL('./cli/imgq.ts', import.meta.url));

/** Options of {@link launchWorkers}. */
export interface LaunchWorkersOptions {
  /** How many worker processes to start (1-64). */
  count: number;
  /**
   * A TypeScript (or JavaScript) file each process runs, with tsx. Give this or `command`.
   * @example new URL('./worker-process.ts', import.meta.url).pathname
   */
  script?: string;
  /** Arguments after `script`. @default [] */
  args?: readonly string[];
  /** A whole command line instead of `script`: `['node', 'worker.js', '--json']`. */
  command?: readonly string[];
  /**
   * Extra environment for every process, on top of this process's. Each process also gets
   * `WORKER_INDEX` (0, 1, ...) and `WORKER_COUNT`.
   * @default {}
   */
  env?: Record<string, string | undefined>;
  /** Working folder of the processes. @default process.cwd() */
  cwd?: string;
  /**
   * Pass SIGINT / SIGTERM that this process receives on to the workers (so Ctrl-C stops them
   * gracefully instead of leaving orphans).
   * @default true
   */
  forwardSignals?: boolean;
  /** Called for every line a worker prints on stdout (parsed when it is JSON). */
  onLine?: (line: WorkerLine) => void;
  /** Called when a worker process exits. */
  onExit?: (worker: WorkerProcessSummary) => void;
  /** Launcher log (starts, exits, forwarded signals). @default silentLogger */
  logger?: Logger;
}

/** One line a worker printed on stdout. */
export interface WorkerLine {
  /** Which process (0-based). */
  index: number;
  pid: number;
  /** The parsed JSON object, or `null` when the line was not a JSON object. */
  json: Record<string, unknown> | null;
  /** The raw line. */
  text: string;
}

/** What one worker process did. */
export interface WorkerProcessSummary {
  index: number;
  pid: number;
  /** Exit code, or `null` when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** Ids of the tasks it reported `completed`, in order. */
  completed: string[];
  /** Ids of the tasks it reported `failed`, in order. */
  failed: string[];
  /** The last lines it wrote to stderr (for crash reports). */
  stderrTail: string[];
  /** Milliseconds from start to exit. */
  runtimeMs: number;
}

/** What {@link launchWorkers} reports when every process has exited. */
export interface LaunchSummary {
  processes: WorkerProcessSummary[];
  completed: number;
  failed: number;
  /** Processes that exited with a non-zero code or were killed by a signal we did not send. */
  crashed: number;
  durationMs: number;
}

/** Running worker processes. */
export interface LaunchedWorkers {
  /** `{ index, pid }` of each process, in start order. */
  readonly processes: ReadonlyArray<{ index: number; pid: number }>;
  /** Resolves when every process has exited. Never rejects. */
  readonly done: Promise<LaunchSummary>;
  /**
   * Asks every process to stop (SIGTERM by default), then waits for them; after `timeoutMs` the
   * stragglers get SIGKILL.
   */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<LaunchSummary>;
}

/**
 * Starts `count` worker OS processes — the Node answer to Python's `multiprocessing`: each has
 * its own event loop, heap and CPU core, and they share work only through Redis.
 *
 * Each process's stdout is read line by line; a JSON line with a string `taskId` and a
 * `status` of `completed` or `failed` counts as a finished task of that process, which is how
 * the summary tells who did what. Nothing is restarted: a process that dies stays dead
 * (session 05 adds supervision).
 *
 * @example
 * const workers = launchWorkers({ count: 3, script: 'src/cli/imgq.ts', args: ['worker', '--json'] });
 * const summary = await workers.done;
 * @throws {InvalidOptionError} for a bad `count`, or neither/both of `script` and `command`;
 * `ERR_LAUNCH_FAILED` when a process cannot be spawned.
 */
export function launchWorkers(options: LaunchWorkersOptions): LaunchedWorkers {
  const { count, forwardSignals = true } = options;
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new InvalidOptionError(
      `Expected \`count\` to be an integer from 1 to 64, got ${describeValue(count)}`,
    );
  }
  const line = commandLine(options);
  const file = line[0]!;
  const args = line.slice(1);
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  const children: Array<{ child: ChildProcess; summary: WorkerProcessSummary }> = [];
  const sentSignal = new Set<number>();

  for (let index = 0; index < count; index++) {
    const child = spawn(file, args, {
      cwd: options.cwd ?? process.cwd(),
      env: {
        ...process.env,
        ...options.env,
        WORKER_INDEX: String(index),
        WORKER_COUNT: String(count),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A program that cannot start emits 'error' on the next tick; unheard, that event would
    // end this process instead of the ERR_LAUNCH_FAILED below (a later error, e.g. a failed
    // kill, is logged).
    child.on('error', (error) => {
      if (child.pid !== undefined) logger.error({ index, err: error }, 'worker process error');
    });
    if (child.pid === undefined) {
      for (const { child: other } of children) other.kill('SIGKILL');
      throw new WorkbookError(
        RedisErrorCodes.LAUNCH_FAILED,
        `Could not start worker process ${index}: \`${[file, ...args].join(' ')}\` did not spawn. ` +
          'Check that the command exists and is executable.',
      );
    }
    const summary: WorkerProcessSummary = {
      index,
      pid: child.pid,
      exitCode: null,
      signal: null,
      completed: [],
      failed: [],
      stderrTail: [],
      runtimeMs: 0,
    };
    children.push({ child, summary });
    watchOutput(child, summary, options.onLine);
    logger.info({ index, pid: child.pid }, 'worker process started');
  }

  const exits = children.map(
    ({ child, summary }) =>
      new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          summary.exitCode = code;
          summary.signal = signal;
          summary.runtimeMs = Date.now() - started;
          logger.info({ index: summary.index, pid: summary.pid, code, signal }, 'worker exited');
          options.onExit?.(summary);
          resolve();
        });
      }),
  );

  const signal = (name: NodeJS.Signals) => {
    for (const { child, summary } of children) {
      if (child.exitCode === null && child.signalCode === null) {
        sentSignal.add(summary.pid);
        child.kill(name);
      }
    }
  };
  const onSignal = (name: NodeJS.Signals) => {
    logger.info({ signal: name }, 'forwarding signal to worker processes');
    signal(name);
  };
  if (forwardSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  const done = Promise.all(exits).then((): LaunchSummary => {
    if (forwardSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const processes = children.map((c) => c.summary);
    return {
      processes,
      completed: processes.reduce((n, p) => n + p.completed.length, 0),
      failed: processes.reduce((n, p) => n + p.failed.length, 0),
      crashed: processes.filter(
        (p) => (p.exitCode !== null && p.exitCode !== 0) || (p.signal && !sentSignal.has(p.pid)),
      ).length,
      durationMs: Date.now() - started,
    };
  });

  return {
    processes: children.map(({ summary }) => ({ index: summary.index, pid: summary.pid })),
    done,
    async stop(name: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000) {
      signal(name);
      const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The program and arguments to spawn: `node --import tsx <script> ...args`, or `command`. */
function commandLine(options: LaunchWorkersOptions): string[] {
  if (options.command && options.script) {
    throw new InvalidOptionError('Give either `script` or `command` to launchWorkers, not both');
  }
  if (options.command) {
    if (options.command.length === 0 || options.command.some((part) => typeof part !== 'string')) {
      throw new InvalidOptionError(
        `Expected \`command\` to be a non-empty array of strings, got ${describeValue(options.command)}`,
      );
    }
    return [...options.command];
  }
  if (typeof options.script !== 'string' || options.script.length === 0) {
    throw new InvalidOptionError(
      `Expected \`script\` (a file to run) or \`command\`, got ${describeValue(options.script)}`,
    );
  }
  // tsx is resolved from this package, so it works whatever the processes' working folder is;
  // `--conditions` flags are passed on so workers see the same exercise switch as we do.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const conditions = conditionFlags(process.execArgv);
  return [
    process.execPath,
    ...conditions,
    '--import',
    tsx,
    options.script,
    ...(options.args ?? []),
  ];
}

/**
 * The `--conditions` flags of a Node command line, in both spellings Node accepts
 * (`--conditions=solution`, `-C=solution`, or the value as the next argument, as vitest passes it).
 *
 * @example
 * conditionFlags(['--conditions', 'solution', '--import', 'tsx']) // ['--conditions', 'solution']
 */
export function conditionFlags(execArgv: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--conditions' || arg === '-C') {
      const value = execArgv[i + 1];
      if (value !== undefined) flags.push(arg, value);
      i++;
    } else if (arg.startsWith('--conditions=') || arg.startsWith('-C=')) {
      flags.push(arg);
    }
  }
  return flags;
}

/** Reads a child's stdout (JSON lines, tasks) and keeps the tail of its stderr. */
function watchOutput(
  child: ChildProcess,
  summary: WorkerProcessSummary,
  onLine: LaunchWorkersOptions['onLine'],
): void {
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const json = parseObject(text);
    if (json && typeof json.taskId === 'string') {
      if (json.status === 'completed') summary.completed.push(json.taskId);
      else if (json.status === 'failed') summary.failed.push(json.taskId);
    }
    onLine?.({ index: summary.index, pid: summary.pid, json, text });
  });
  createInterface({ input: child.stderr! }).on('line', (text) => {
    summary.stderrTail.push(text);
    if (summary.stderrTail.length > 20) summary.stderrTail.shift();
  });
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The exit summary as plain text lines: one row per process (pid, tasks done, failed, how it
 * ended) and the totals. Demos and the CLI print it.
 */
export function formatLaunchSummary(summary: LaunchSummary): string {
  const rows = summary.processes.map((p) => {
    const ended = p.signal ? `signal ${p.signal}` : `exit ${p.exitCode}`;
    return `  #${p.index}  pid ${String(p.pid).padEnd(7)} ${String(p.completed.length).padStart(4)} done ${String(p.failed.length).padStart(4)} failed   ${ended}`;
  });
  const total =
    `  total: ${summary.completed} completed, ${summary.failed} failed, ` +
    `${summary.processes.length} processes (${summary.crashed} crashed) in ` +
    `${(summary.durationMs / 1000).toFixed(1)} s`;
  return [...rows, total].join('\n');
}
