/**
 * The temporary folders of the test kit's Redis servers, `<tmp>/workbook-redis-<pid>-XXXXXX`
 * (`<pid>`: the process that started the server). They go away:
 *
 * - when the handle is disposed (the normal case);
 * - when the owning process exits or is ended by SIGINT/SIGTERM/SIGHUP: the server is killed
 *   and the folder removed (then the signal is raised again, so the process still ends);
 * - at the next start-up of any test kit, for a folder whose owner is gone (SIGKILL, a
 *   watchdog, a crash): its server, found by the `server.pid` file and checked by its working
 *   folder, is killed, and the folder removed.
 */
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PREFIX = 'workbook-redis-';
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The servers of this process, by folder. */
const live = new Map<string, () => ChildProcess | null>();
let hooked = false;
let swept = false;

/** A fresh folder for a server of this process (sweeping stale ones the first time). */
export function makeRedisDir(root = tmpdir()): string {
  if (!swept) {
    swept = true;
    sweepStaleRedisDirs(root);
  }
  return mkdtempSync(path.join(root, `${PREFIX}${process.pid}-`));
}

/** Remembers a folder and how to find its server, so an exit or a signal cleans both up. */
export function trackRedisDir(dir: string, server: () => ChildProcess | null): void {
  live.set(dir, server);
  if (!hooked) {
    hooked = true;
    process.on('exit', cleanUpAll);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
}

/** Records the server's pid in its folder (read by the sweep after its owner died). */
export function recordServerPid(dir: string, pid: number | undefined): void {
  if (pid !== undefined) writeFileSync(path.join(dir, 'server.pid'), String(pid));
}

/** Forgets and removes a folder (its server must be stopped already). */
export function removeRedisDir(dir: string): void {
  live.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

function cleanUpAll(): void {
  for (const [dir, server] of live) {
    const proc = server();
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanUpAll();
  // Our listener must not keep the process alive: when nobody else handles the signal,
  // end the way the signal would have.
  for (const s of SIGNALS) process.off(s, onSignal);
  hooked = false;
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Whether a process exists (EPERM: it exists but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is the server of `dir` (Linux `/proc`): redis-server changes into its `--dir`
 * and rewrites its command line, so its working folder is the proof. Elsewhere: never sure, so
 * no.
 */
function servesDir(pid: number, dir: string): boolean {
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/cwd`)) === realpathSync(dir);
  } catch {
    return false;
  }
}

/** The working folders of all processes (Linux `/proc`), or `null` where unknown. */
function workingFolders(): Set<string> | null {
  try {
    const folders = new Set<string>();
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        folders.add(realpathSync(readlinkSync(`/proc/${pid}/cwd`)));
      } catch {
        // Gone, or not ours to read.
      }
    }
    return folders;
  } catch {
    return null;
  }
}

function ageMs(dir: string): number {
  try {
    return Date.now() - statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
}

function realpathOrSelf(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * Removes the folders whose owner process is gone, killing their server when it still runs
 * (only a process whose command line names that folder). Returns the folders removed.
 */
export function sweepStaleRedisDirs(root = tmpdir(), alive = isAlive): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  let servedDirs: Set<string> | null = null;
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(root, name);
    const owner = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (owner && alive(Number(owner[1]))) continue;
    if (!owner) {
      // Named before folders carried their owner: stale when a minute old and no process
      // works in it (a running server's working folder is its folder).
      servedDirs ??= workingFolders();
      if (servedDirs === null || ageMs(dir) < 60_000 || servedDirs.has(realpathOrSelf(dir)))
        continue;
    }
    const pidFile = path.join(dir, 'server.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (pid > 0 && alive(pid) && servesDir(pid, dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
