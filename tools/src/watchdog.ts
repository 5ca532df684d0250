/**
 * The parent side of the check watchdog: reads the heartbeat files the test workers write
 * (check-setup.ts) and tells when a live worker has stopped beating for `stallMs` — its event
 * loop is blocked by an infinite loop or a blocking call, so vitest's own test timeout can
 * never fire. Times are taken from the parent's monotonic clock, not from the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Heartbeat } from './check-setup.ts';

/** A worker that stopped beating. */
export interface Stall {
  pid: number;
  /** The test file it was running, when known. */
  file: string | null;
  /** The test it was running, or `null` while the file loaded. */
  test: string | null;
  /** How long it was silent when the watchdog fired. */
  silentMs: number;
}

/** Options of {@link watchHeartbeats}. */
export interface WatchOptions {
  /** Silence of a live worker that counts as a hang. @default 20_000 */
  stallMs?: number;
  /** How often the folder is read. @default min(1000, stallMs / 4) */
  pollMs?: number;
  /** Monotonic clock in ms (injectable for tests). @default performance.now */
  now?: () => number;
  /** Whether a process is still alive. @default signal 0 */
  alive?: (pid: number) => boolean;
}

/** The default bound: generous for a loaded machine, short enough that nobody waits minutes. */
export const STALL_MS = 20_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the heartbeats in `dir` (files being written are skipped until the next read). */
export function readHeartbeats(dir: string): Heartbeat[] {
  const beats: Heartbeat[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return beats;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      beats.push(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Heartbeat);
    } catch {
      // Half written: read it next time.
    }
  }
  return beats;
}

/**
 * A pure tracker: feed it the heartbeats read at a moment; it returns the first live worker
 * silent for `stallMs`, if any. Dead workers are forgotten (they finished their files).
 */
export function stallTracker(stallMs: number, alive: (pid: number) => boolean = isAlive) {
  const seen = new Map<number, { beat: number; since: number }>();
  return (beats: Heartbeat[], at: number): Stall | null => {
    for (const hb of beats) {
      const known = seen.get(hb.pid);
      if (!known || known.beat !== hb.beat) seen.set(hb.pid, { beat: hb.beat, since: at });
    }
    for (const hb of beats) {
      const known = seen.get(hb.pid)!;
      const silentMs = at - known.since;
      if (silentMs < stallMs) continue;
      if (!alive(hb.pid)) {
        seen.delete(hb.pid);
        continue;
      }
      return { pid: hb.pid, file: hb.file, test: hb.test, silentMs };
    }
    return null;
  };
}

/**
 * Polls `dir` until {@link stop} and calls `onStall` once when a worker hangs.
 * @returns stop: ends the polling.
 */
export function watchHeartbeats(
  dir: string,
  onStall: (stall: Stall) => void,
  options: WatchOptions = {},
): () => void {
  const stallMs = options.stallMs ?? STALL_MS;
  const now = options.now ?? (() => performance.now());
  const track = stallTracker(stallMs, options.alive);
  const timer = setInterval(
    () => {
      const stall = track(readHeartbeats(dir), now());
      if (stall) {
        clearInterval(timer);
        onStall(stall);
      }
    },
    options.pollMs ?? Math.min(1000, Math.max(50, stallMs / 4)),
  );
  return () => clearInterval(timer);
}

/** The plain words a student reads when the watchdog ended their check. */
export function stallMessage(stall: Stall): string {
  const where = stall.test ? `while running "${stall.test}"` : 'while the check loaded your files';
  return (
    `your code did not give control back (an infinite loop or a blocking call) ${where}: ` +
    `nothing ran for ${Math.round(stall.silentMs / 1000)} s, so the check was stopped. Look for ` +
    'a loop whose condition never changes (e.g. a `continue` that skips the `await`), or a ' +
    'synchronous wait (`while (Date.now() < t)`, `Atomics.wait`, `execSync`).'
  );
}
