import { constants } from 'node:os';
import { describeValue, InvalidOptionError } from '@workbook/session01';

/** Where signals come from: `process`, or an EventEmitter in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/** Options of {@link installGracefulShutdown}. */
export interface GracefulShutdownOptions {
  /**
   * The graceful part, run once on the first signal: e.g. stop the worker (stop fetching,
   * finish or hand back in-flight tasks, deregister), then close the queue.
   */
  stop: () => Promise<unknown>;
  /**
   * Ends the process. Called with 0 after `stop` resolved, 1 if it rejected, and
   * 128 + the signal's number (130 for SIGINT, 143 for SIGTERM) at once on a second signal.
   * @default process.exit
   */
  exit?: (code: number) => void;
  /** @default process */
  signals?: SignalSource;
  /** Which signals start the shutdown. @default ['SIGTERM', 'SIGINT'] */
  signalNames?: readonly NodeJS.Signals[];
  /** Told about each signal and what it triggers (for logs and the human on the terminal). */
  onSignal?: (signal: NodeJS.Signals, phase: 'graceful' | 'forced') => void;
}

/** What {@link installGracefulShutdown} returns. */
export interface GracefulShutdown {
  /** Resolves with the exit code once a shutdown has run `stop` (never, if no signal comes). */
  readonly done: Promise<number>;
  /** Removes the signal listeners (after a shutdown they are removed automatically). */
  uninstall(): void;
}

/**
 * Two-phase shutdown on SIGTERM / SIGINT, the way container runtimes and terminals expect it:
 *
 * - first signal: run `stop()` (graceful: stop fetching, let in-flight tasks finish within the
 *   grace period, hand the rest back, deregister), then `exit(0)` — or `exit(1)` if it failed;
 * - second signal while stopping: `exit(128 + n)` at once. The person at the terminal (or the
 *   orchestrator's kill timeout) wants out now; the tasks still held are not lost — their
 *   leases expire and recovery hands them to other workers.
 *
 * @example
 * installGracefulShutdown({ stop: async () => { await worker.stop(); await queue.close(); } });
 * @throws {InvalidOptionError} `ERR_INVALID_OPTION` when `stop` is not a function.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdown {
  if (typeof options?.stop !== 'function') {
    throw new InvalidOptionError(
      `Expected \`stop\` to be a function returning a promise, got ${describeValue(options?.stop)}`,
    );
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? process;
  const names = options.signalNames ?? ['SIGTERM', 'SIGINT'];
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  let stopping = false;
  let exited = false;

  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    uninstall();
    resolveDone(code);
    exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (exited) return;
    if (stopping) {
      options.onSignal?.(signal, 'forced');
      finish(128 + (constants.signals[signal] ?? 1));
      return;
    }
    stopping = true;
    options.onSignal?.(signal, 'graceful');
    options.stop().then(
      () => finish(0),
      () => finish(1),
    );
  };

  const uninstall = () => {
    for (const name of names) signals.off(name, onSignal);
  };
  for (const name of names) signals.on(name, onSignal);
  return { done, uninstall };
}
