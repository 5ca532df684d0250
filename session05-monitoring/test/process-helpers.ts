/** Starting real worker processes (@workbook/session05/testing's HOLDING_WORKER) with session 04's launcher. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { launchWorkers, type WorkerProcessSummary } from '@workbook/session04';
import { HOLDING_WORKER } from '../src/testing/index.ts';

/** What the fixture accepts (see src/testing/holding-worker.ts). */
export interface FixtureWorkerOptions {
  redisUrl: string;
  queue: string;
  id?: string;
  concurrency?: number;
  leaseMs?: number;
  heartbeatIntervalMs?: number;
  heartbeatTtlMs?: number;
  recoveryIntervalMs?: number;
  gracePeriodMs?: number;
  maxAttempts?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  delayMs?: number;
  stallMs?: number;
  inputRoot?: string;
  outputRoot?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

/** A running worker process and the JSON lines it printed. */
export interface TestWorker {
  pid: number;
  /** Every JSON line it printed on stdout, in order. */
  events: Array<Record<string, unknown>>;
  /** Resolves when it has exited. */
  exited: Promise<WorkerProcessSummary>;
  /** Sends a signal to this process. */
  kill(signal: NodeJS.Signals): void;
  /** `true` once the process has exited. */
  readonly gone: boolean;
}

const FIXTURE = HOLDING_WORKER;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts one worker process; every test must `stopAll()` the ones it started. */
export function startWorker(options: FixtureWorkerOptions): TestWorker {
  const events: Array<Record<string, unknown>> = [];
  let gone = false;
  const launched = launchWorkers({
    count: 1,
    // A whole command line rather than `script`: the launcher copies `--conditions` flags from
    // this process, and vitest's (`--conditions solution`, two words) would reach node halved.
    command: [
      process.execPath,
      '--import',
      TSX,
      FIXTURE,
      JSON.stringify({ logLevel: 'error', ...options }),
    ],
    forwardSignals: false,
    onLine: ({ json }) => {
      if (json) events.push(json);
    },
  });
  const pid = launched.processes[0]!.pid;
  const exited = launched.done.then((summary) => {
    gone = true;
    return summary.processes[0]!;
  });
  return {
    pid,
    events,
    exited,
    kill: (signal) => {
      if (!gone) process.kill(pid, signal);
    },
    get gone() {
      return gone;
    },
  };
}

/** SIGKILLs every worker still running and waits for them (test cleanup). */
export async function killAll(workers: TestWorker[]): Promise<void> {
  for (const worker of workers) worker.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}

/** The events of one kind (`task`, `stopped`, ...) of some workers. */
export function eventsOf(workers: TestWorker[], event: string): Array<Record<string, unknown>> {
  return workers.flatMap((worker) => worker.events.filter((line) => line.event === event));
}
