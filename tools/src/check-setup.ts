/**
 * A vitest setup file (see `vitest.config.ts`): runs in each test worker before a test file.
 *
 * - With `WORKBOOK_HEARTBEAT_DIR` set (by `pnpm check`), the worker writes a heartbeat file
 *   `<pid>.json` every {@link BEAT_MS} and when each test starts, naming the test. A student's
 *   infinite loop or blocking call stops the event loop, so the beats stop, and the parent's
 *   watchdog (watchdog.ts) ends the run and names the test that was running.
 * - Checks (`test/exercises/*.test.ts`) show whole values in assertion messages: the student's
 *   own error text must never be cut off.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, beforeEach, chai, expect } from 'vitest';

/** How often a worker beats while its event loop is free. */
export const BEAT_MS = 250;

/** What a heartbeat file holds. */
export interface Heartbeat {
  pid: number;
  /** Increases with every beat. */
  beat: number;
  /** Absolute path of the test file being run. */
  file: string | null;
  /** Full name of the test running, or `null` while the file loads. */
  test: string | null;
}

interface TaskLike {
  name: string;
  suite?: TaskLike;
  file?: { filepath?: string };
  filepath?: string;
  type?: string;
}

function fullName(task: TaskLike): string {
  const names: string[] = [];
  for (let t: TaskLike | undefined = task; t; t = t.suite) {
    // The file-level suite is named after the file; the test's name starts below it.
    if (t.type === 'suite' && t.filepath) break;
    if (t.name) names.unshift(t.name);
  }
  return names.join(' › ');
}

const testPath = expect.getState().testPath ?? null;
if (testPath && /[\\/]test[\\/]exercises[\\/]/.test(testPath)) {
  chai.config.truncateThreshold = 0;
}

const dir = process.env.WORKBOOK_HEARTBEAT_DIR;
if (dir) {
  const state = globalThis as { __workbookHeartbeat?: Heartbeat & { timer?: NodeJS.Timeout } };
  state.__workbookHeartbeat ??= { pid: process.pid, beat: 0, file: null, test: null };
  const heartbeat = state.__workbookHeartbeat;
  const file = path.join(dir, `${process.pid}.json`);
  const beat = () => {
    heartbeat.beat++;
    const { timer: _timer, ...record } = heartbeat as Heartbeat & { timer?: unknown };
    try {
      writeFileSync(file, JSON.stringify(record));
    } catch {
      // The folder is gone: the parent finished; nothing to report to.
    }
  };
  heartbeat.file = testPath;
  heartbeat.test = null;
  beat();
  if (!state.__workbookHeartbeat.timer) {
    state.__workbookHeartbeat.timer = setInterval(beat, BEAT_MS);
    state.__workbookHeartbeat.timer.unref();
  }
  beforeAll(() => {
    heartbeat.file = testPath;
    heartbeat.test = null;
    beat();
  });
  beforeEach((context) => {
    heartbeat.test = fullName(context.task as unknown as TaskLike);
    beat();
  });
}
