/**
 * The student's exercise code (05.1-05.4) for the demos, through the switch (`#ex/...`): each
 * piece is tried once; a piece that still throws its 🐨 TODO is reported as not solved yet and
 * the demo uses the course's own version in its place.
 */
import { serializeError } from '@workbook/session01';
import { DEFAULT_BACKOFF } from '@workbook/session05';
import chalk from 'chalk';
import { findDeadWorkers, sendHeartbeat } from '#ex/01-heartbeat/heartbeat.ts';
import { computeBackoff } from '#ex/02-backoff/backoff.ts';
import { RECOVER_EXPIRED_LUA, recoverExpired } from '#ex/03-recovery-script/recover-expired.ts';
import { installGracefulShutdown } from '#ex/04-graceful-shutdown/shutdown.ts';
import { TARGET } from '#ex/target.ts';

export { computeBackoff, findDeadWorkers, installGracefulShutdown, recoverExpired, sendHeartbeat };

/** Which code the demo runs for one exercise. */
export interface Piece {
  exercise: string;
  what: string;
  /** `true`: the student's (or the reference's) code runs; `false`: the course's stands in. */
  ours: boolean;
  note: string;
}

/** `true` when `error` is a starter's `🐨 TODO` (the exercise is not solved yet). */
export function isTodo(error: unknown): boolean {
  return serializeError(error).message.includes('TODO');
}

/** Tries the pure pieces without Redis: 05.2's backoff and whether 05.3's script is written. */
export function probeOffline(): { backoff: Piece; recovery: Piece; shutdown: Piece } {
  let backoff: Piece;
  try {
    const delay = computeBackoff(1, DEFAULT_BACKOFF, () => 0.5);
    backoff = piece('05.2', 'computeBackoff (retry delays)', true, `attempt 1 → ${delay} ms`);
  } catch (error) {
    backoff = fallback('05.2', 'computeBackoff (retry delays)', error);
  }
  const written = !RECOVER_EXPIRED_LUA.includes('TODO');
  const recovery = written
    ? piece('05.3', 'the recovery script (expired leases)', true, 'runs every 250 ms')
    : piece(
        '05.3',
        'the recovery script (expired leases)',
        false,
        'not solved yet: the worker’s built-in recovery stands in',
      );
  let shutdown: Piece;
  try {
    const trial = installGracefulShutdown({
      stop: async () => {},
      exit: () => {},
      signals: { on: () => undefined, off: () => undefined },
    });
    trial.uninstall();
    shutdown = piece('05.4', 'installGracefulShutdown (SIGTERM)', true, 'stops the worker');
  } catch (error) {
    shutdown = fallback('05.4', 'installGracefulShutdown (SIGTERM)', error);
  }
  return { backoff, recovery, shutdown };
}

export function piece(exercise: string, what: string, ours: boolean, note: string): Piece {
  return { exercise, what, ours, note };
}

export function fallback(exercise: string, what: string, error: unknown): Piece {
  const { code, message } = serializeError(error);
  const note = isTodo(error)
    ? 'not solved yet: the course’s version stands in'
    : `failed (${code}: ${message.slice(0, 80)}): the course’s version stands in`;
  return piece(exercise, what, false, note);
}

/** Prints which exercise pieces run, and how to see the reference solutions instead. */
export function printPieces(pieces: Piece[]): void {
  console.log(chalk.bold(`Exercise code in this demo (${TARGET} target):`));
  for (const p of pieces) {
    const mark = p.ours ? chalk.green('✔') : '🐨';
    const note = p.ours ? chalk.dim(p.note) : chalk.yellow(p.note);
    console.log(`  ${mark} ${p.exercise} ${p.what}  ${note}`);
  }
  if (pieces.some((p) => !p.ours)) {
    console.log(
      chalk.dim(
        '  Solve them with pnpm check 05, or run the references: pnpm demo <name> --solution',
      ),
    );
  }
  console.log();
}
