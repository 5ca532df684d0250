import { constants } from 'node:os';
import type { GracefulShutdown, SignalSource } from '@workbook/session05';

/** Options of {@link installGracefulShutdown}. */
export interface ShutdownOptions {
  /** The graceful part: stop the worker (finish, hand back, deregister), close the queue. */
  stop: () => Promise<unknown>;
  /** Ends the process. @default process.exit */
  exit?: (code: number) => void;
  /** @default process */
  signals?: SignalSource;
  /** @default ['SIGTERM', 'SIGINT'] */
  signalNames?: readonly NodeJS.Signals[];
}

/**
 * Two-phase shutdown: the first signal stops gracefully then exits 0 (1 if stopping failed);
 * a second signal while stopping exits at once with 128 + the signal's number.
 *
 * @example
 * installGracefulShutdown({ stop: async () => { await worker.stop(); await queue.close(); } });
 */
export function installGracefulShutdown(options: ShutdownOptions): GracefulShutdown {
  const exit = options.exit ?? ((_code: number) => {});
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
      // The person (or the orchestrator) wants out now; leases and recovery cover the tasks.
      finish(128 + (constants.signals[signal] ?? 1));
      return;
    }
    stopping = true;
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
