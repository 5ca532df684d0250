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
  // 🐨 The five points of the README. Signal numbers: `constants.signals` from 'node:os'.
  //    (`pnpm hint 05.4` if stuck.)
  void options;
  throw new Error('🐨 TODO (05.4): install a two-phase SIGTERM/SIGINT handler');
}
