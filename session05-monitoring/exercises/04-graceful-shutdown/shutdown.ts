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
  // 🐨 1. Listen for each signal name on `signals` (default process) with ONE handler.
  // 🐨 2. First signal: stop() → exit(0) when it resolves, exit(1) when it rejects.
  // 🐨 3. A signal while stopping: exit(128 + constants.signals[signal]) at once
  //       (import { constants } from 'node:os').
  // 🐨 4. exit only once; then remove the listeners. Return { done, uninstall }.
  void options;
  throw new Error('🐨 TODO (05.4): install a two-phase SIGTERM/SIGINT handler');
}
